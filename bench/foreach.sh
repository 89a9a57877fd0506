#!/usr/bin/env bash
# A foreach of ITEMS short tasks (each writes one line) run by lockstep on
# the local backend and on Slurm, beside the same ITEMS tasks as one plain
# `sbatch --array` (the floor for Slurm). Prints, over RUNS rounds, the
# median wall time from submission to every result recorded, per task,
# and the ratio of lockstep on Slurm to the bare array.
# Target: lockstep's per-task time on Slurm within 1.5x of sbatch --array.
# Needs a Slurm cluster whose nodes share this folder (scripts/slurm-up.sh
# starts a one-node one); without one only the local figures are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${ITEMS:-100}
RUNS=${RUNS:-3}
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d /tmp/lockstep-bench-foreach.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/lockstep.yaml" <<FLOW
flow: sweep
sandbox: none
steps:
  each:
    foreach: {i: [$(seq -s, 1 "$ITEMS")]}
    max-items: $ITEMS
    run: echo "item \$LOCKSTEP_ITEM_I" > \$LOCKSTEP_OUTPUT_DIR/o.txt
    outputs: {o: o.txt}
FLOW
cd "$work"
"$lockstep" init -q >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v ns="$1" -v n="$ITEMS" 'BEGIN {printf "%.1f", ns / n / 1e6}'; }

on() { # backend: wall time of a run with the cache off
  local t0 t1
  t0=$(now); "$lockstep" run -q --no-cache --on "$1" >/dev/null; t1=$(now)
  echo $((t1 - t0))
}
array() { # the same tasks as one sbatch --array, waited for
  local t0 t1
  mkdir -p "$work/array"
  t0=$(now)
  sbatch --parsable --wait --array=1-"$ITEMS" -o "$work/array/%a.out" --wrap 'echo "item $SLURM_ARRAY_TASK_ID" > '"$work"'/array/$SLURM_ARRAY_TASK_ID.txt' >/dev/null
  t1=$(now)
  echo $((t1 - t0))
}

local_ns=$(for _ in $(seq 1 "$RUNS"); do on local; done | median)
printf '%-34s %12s\n' "$ITEMS items, median of $RUNS" "per task"
printf '%-34s %9s ms\n' "lockstep --on local" "$(ms "$local_ns")"
if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
  slurm_ns=$(for _ in $(seq 1 "$RUNS"); do on slurm; done | median)
  array_ns=$(for _ in $(seq 1 "$RUNS"); do array; done | median)
  printf '%-34s %9s ms\n' "lockstep --on slurm" "$(ms "$slurm_ns")"
  printf '%-34s %9s ms\n' "sbatch --array (floor)" "$(ms "$array_ns")"
  awk -v a="$slurm_ns" -v b="$array_ns" 'BEGIN {printf "ratio lockstep-on-slurm / sbatch --array: %.2f (target <= 1.5)\n", a / b}'
  ratio=$(awk -v a="$slurm_ns" -v b="$array_ns" 'BEGIN {printf "%.2f", a / b}')
  met=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "yes" : "no"}')
  printf 'RESULT\t%s\t%s ms\t%s ms (sbatch --array)\t%sx\t≤ 1.5x\t%s\n' "foreach of $ITEMS items on Slurm, per task" "$(ms "$slurm_ns")" "$(ms "$array_ns")" "$ratio" "$met"
else
  echo "no Slurm cluster here: start one with scripts/slurm-up.sh for the Slurm figures"
fi
printf 'RESULT\t%s\t%s ms\t-\t-\t-\t-\n' "foreach of $ITEMS items on the local backend, per task" "$(ms "$local_ns")"

#!/usr/bin/env bash
# Overhead of lockstep around a step that does nothing (`true`): a flow of
# STEPS independent `true` steps run with -j 1 and the cache off, compared
# with running `true` bare the same number of times. Prints the median per
# step over RUNS runs, with and without the bubblewrap sandbox.
# Target: median overhead under 150 ms per step, capture and recording included.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-10}
RUNS=${RUNS:-7}
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "flow: overhead"
  echo "steps:"
  for i in $(seq 1 "$STEPS"); do printf '  s%02d: {run: "true"}\n' "$i"; done
} >"$work/lockstep.yaml"
cd "$work"
"$lockstep" init -q >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bare() {
  local t0 t1
  t0=$(now); for _ in $(seq 1 "$STEPS"); do /bin/sh -c true; done; t1=$(now)
  echo $(( (t1 - t0) / STEPS ))
}
wrapped() {
  local t0 t1
  t0=$(now); "$lockstep" run -q -j 1 --no-cache "$@" >/dev/null; t1=$(now)
  echo $(( (t1 - t0) / STEPS ))
}
bare_ns=$(for _ in $(seq 1 "$RUNS"); do bare; done | median)
none_ns=$(for _ in $(seq 1 "$RUNS"); do wrapped --sandbox none; done | median)
printf '%-28s %10s %12s\n' "per step (median of $RUNS)" "time" "overhead"
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }
printf '%-28s %8s ms\n' "sh -c true (bare)" "$(ms "$bare_ns")"
printf '%-28s %8s ms %9s ms\n' "lockstep, --sandbox none" "$(ms "$none_ns")" "$(ms $((none_ns - bare_ns)))"
if command -v bwrap >/dev/null; then
  bwrap_ns=$(for _ in $(seq 1 "$RUNS"); do wrapped; done | median)
  printf '%-28s %8s ms %9s ms\n' "lockstep, bubblewrap" "$(ms "$bwrap_ns")" "$(ms $((bwrap_ns - bare_ns)))"
fi
echo "target: overhead under 150 ms per step"

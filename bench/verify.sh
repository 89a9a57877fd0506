#!/usr/bin/env bash
# Time `lockstep verify` of one 100 MiB artifact with its signed provenance
# (hashing the file, finding the bundle in the catalog, checking the
# signature), beside sha256sum over the same file. Median of RUNS.
# Target: verify under 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
SIZE_MIB=${SIZE_MIB:-100}
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export LOCKSTEP_PASSWORD=bench
cat >lockstep.yaml <<YAML
flow: verify-bench
seed: 1
steps:
  make:
    run: head -c $((SIZE_MIB << 20)) /dev/urandom > \$LOCKSTEP_OUTPUT_DIR/weights.bin
    outputs: {weights: weights.bin}
YAML
"$lockstep" init -q >/dev/null
"$lockstep" key generate builder -q >/dev/null
"$lockstep" run -q --sandbox none --sign-with builder.key >/dev/null
"$lockstep" get last make.weights weights.bin -q >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(now); "$@" >/dev/null; t1=$(now)
    echo $(( (t1 - t0) / 1000000 ))
  done | median
}
cat weights.bin >/dev/null # warm the page cache for both
v=$(timeit "$lockstep" verify weights.bin --key builder.pub)
s=$(timeit sha256sum weights.bin)
printf '%-36s %6s ms\n' "lockstep verify ($SIZE_MIB MiB, median)" "$v"
printf '%-36s %6s ms\n' "sha256sum (same file, median)" "$s"
awk -v v="$v" -v s="$s" 'BEGIN {printf "sha256sum / lockstep verify: %.1fx\n", s / v}'
echo "target: lockstep verify under 100 ms"
met=no; [ "$v" -lt 100 ] && met=yes
printf 'RESULT\t%s\t%s ms\t%s ms (sha256sum)\t%s\t< 100 ms\t%s\n' "verify a $SIZE_MIB MiB model" "$v" "$s" "$(awk -v v="$v" -v s="$s" 'BEGIN {printf "%.2fx", v / s}')" "$met"

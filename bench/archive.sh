#!/usr/bin/env bash
# Archiving a step's Python environment: the first archive stores the
# interpreter's prefix (and site-packages) as trees; a second archive of the
# unchanged environment only stats the files (hash cache). Prints the time a
# run spends archiving, first and second time, and the environment's size.
# Target: second archive of a 1 GiB Python environment under 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat >lockstep.yaml <<'YAML'
flow: archive-bench
seed: 1
steps:
  py:
    run: python3 -c 'import json, sys; print(sys.prefix)'
YAML
"$lockstep" init -q >/dev/null
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
runms() { local t0 t1; t0=$(now); "$lockstep" run -q --no-cache "$@" >/dev/null; t1=$(now); echo $(( (t1 - t0) / 1000000 )); }
first=$(runms --archive-env)
plain=$(for _ in $(seq 1 "$RUNS"); do runms; done | median)
again=$(for _ in $(seq 1 "$RUNS"); do runms --archive-env; done | median)
"$lockstep" show last --json | python3 -c '
import json, sys
t = json.load(sys.stdin)["tasks"]["py"]
for path, d in sorted(t.get("toolchain", {}).items()):
    print("archived", path, d)
'
size=$("$lockstep" show last --json | python3 -c '
import json, sys, subprocess
t = json.load(sys.stdin)["tasks"]["py"]
total = 0
for d in t.get("toolchain", {}).values():
    tree = json.loads(subprocess.run([sys.argv[1], "cat", d], capture_output=True, check=True).stdout)
    total += sum(e.get("size", 0) for e in tree["entries"])
print(total >> 20)
' "$lockstep")
printf '%-40s %7s ms\n' "run without archive (median)" "$plain"
printf '%-40s %7s ms\n' "run with first archive ($size MiB)" "$first"
printf '%-40s %7s ms\n' "run with second archive (median)" "$again"
awk -v a="$again" -v p="$plain" 'BEGIN {printf "second archive costs %.0f ms (target: under 2000 ms for 1 GiB)\n", a - p}'
extra=$((again - plain))
met=no; [ "$extra" -lt 2000 ] && met=yes
printf 'RESULT\t%s\t%s ms\t%s ms (run without archive)\t+%s ms\t< +2000 ms for 1 GiB\t%s\n' "second --archive-env of a $size MiB environment" "$again" "$plain" "$extra" "$met"

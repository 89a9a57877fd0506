#!/usr/bin/env bash
# audit-deps over an OSV export the size of PyPI's: a synthetic all.zip of
# ADVISORIES entries (default 18,000 over 9,000 package names, shaped like
# PyPI's; the real export cannot be downloaded here) is imported with
# `lockstep vulndb import` (wall time, RUNS times, median), then
# bench/vulndb matches a 300-package environment against the catalog
# (median of 30 audits; goal < 50 ms), and `lockstep audit-deps` runs end
# to end on a run of Debian's python3 (wall time, median). On a machine
# other work shares, the CPU time per audit is the steadier figure.
set -euo pipefail
cd "$(dirname "$0")/.."
ADVISORIES=${ADVISORIES:-18000}
RUNS=${RUNS:-3}
make -s build
lockstep="$PWD/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./bench/vulndb -advisories "$ADVISORIES" gen "$work/all.zip"
echo "export: $ADVISORIES advisories, $(du -h "$work/all.zip" | cut -f1) zipped"
mkdir "$work/p"
printf 'flow: vulndb-bench\nsandbox: none\nsteps:\n  train: {run: "/usr/bin/python3 -c pass"}\n' >"$work/p/lockstep.yaml"
cd "$work/p"
"$lockstep" init -q >/dev/null
"$lockstep" run -q >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for _ in $(seq "$RUNS"); do
  s=$(date +%s%N); "$lockstep" vulndb import "$work/all.zip" >/dev/null; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
done | median | xargs printf "import: median %s ms over $RUNS imports\n"
cd - >/dev/null
go run ./bench/vulndb match "$work/p/.lockstep"
cd "$work/p"
for _ in $(seq "$RUNS"); do
  s=$(date +%s%N); "$lockstep" audit-deps last >/dev/null 2>&1 || true; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
done | median | xargs printf 'audit-deps end to end (one step, Debian python3 and its OS packages): median %s ms\n'

#!/usr/bin/env bash
# Run every benchmark script under bench/ (or those named) and print one
# table of their results: each script ends with RESULT lines,
#   RESULT<TAB>work<TAB>lockstep<TAB>floor or peer<TAB>ratio<TAB>goal<TAB>met
# Each script's full output goes to bench/out/NAME.log.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
  for s in bench/*.sh; do
    [ "$s" = bench/lib.sh ] || scripts+=("$s") # lib.sh is the scripts' helpers, not a benchmark
  done
fi
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for s in "${scripts[@]}"; do
  name=$(basename "$s" .sh)
  echo "== $s (log: bench/out/$name.log)" >&2
  if bash "$s" >"bench/out/$name.log" 2>&1; then
    if ! grep -q '^RESULT' "bench/out/$name.log"; then
      printf 'RESULT\t%s\t-\t-\t-\t-\tno RESULT line\n' "$name" >>"$rows"
    fi
    grep '^RESULT' "bench/out/$name.log" >>"$rows"
  else
    printf 'RESULT\t%s\t-\t-\t-\t-\tfailed (see bench/out/%s.log)\n' "$name" "$name" >>"$rows"
  fi
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| work | lockstep | floor / peer | ratio | goal | met? |"
echo "|---|---|---|---|---|---|"
cut -f2- "$rows" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}'

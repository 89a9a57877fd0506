#!/usr/bin/env bash
# The first run of a one-step flow over a tree of FILES small files of
# SIZE_KIB KiB (default 10,000 × 16 KiB), against `cp -r` of the same
# tree. The run ingests the tree into a new home (hash, scan, store), places
# it where the step reads it, runs the step and records it durably; cp -r
# only copies, and leaves its copy unsynced. Goal: lockstep ≤ 0.8× cp -r.
#
# lockstep and cp -r run alternately ROUNDS times (default 5), each round
# into a fresh destination (a new home, a new copy); the previous round's
# are deleted and synced away before it. Page cache: warm — the source
# tree is read in before every timed command and dirty pages are flushed,
# the cache itself is not dropped.
#
# Usage: [ROUNDS=N] [FILES=N] [SIZE_KIB=N] [SANDBOX=none|bubblewrap] [LOCKSTEP=bin] bench/small-files.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
FILES=${FILES:-10000}
SIZE_KIB=${SIZE_KIB:-16}
SANDBOX=${SANDBOX:-none}
lockstep=$(lockstep_bin)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-small.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/proj"
cd "$work/proj"
python3 - "$FILES" "$SIZE_KIB" <<'PY'
import os, sys
n, kib = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    d = os.path.join("data", "%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(kib * 512).hex().encode())
PY
cat >lockstep.yaml <<'YAML'
flow: small-files-bench
seed: 1
code: {include: ["lockstep.yaml"]}
steps:
  count:
    run: find $LOCKSTEP_INPUT_DATA -type f | wc -l > $LOCKSTEP_OUTPUT_DIR/n.txt
    inputs: {data: data}
    outputs: {n: n.txt}
YAML
# settle: drops what the last round made, flushes it, and reads the
# source tree in so that both tools find it in memory.
settle() {
	chmod -R u+w "$work/out" 2>/dev/null || true
	rm -rf "$work/out"
	sync
	find data -type f -exec cat {} + >/dev/null
}
run_lockstep() {
	LOCKSTEP_HOME="$work/out/home" "$lockstep" run -q --sandbox "$SANDBOX"
}
for _ in $(seq "$ROUNDS"); do
	settle
	mkdir -p "$work/out"
	LOCKSTEP_HOME="$work/out/home" "$lockstep" init -q >/dev/null
	time_ns run_lockstep >>"$work/ls.ns"
	settle
	mkdir -p "$work/out"
	time_ns cp -r data "$work/out/copy" >>"$work/cp.ns"
done
ls_ns=$(median <"$work/ls.ns")
cp_ns=$(median <"$work/cp.ns")
ratio=$(awk -v a="$ls_ns" -v b="$cp_ns" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.8 ? "yes" : "no") }')
rounds() { awk '{ printf "%.3f ", $1 / 1e9 }' "$1"; }
printf 'first run of a one-step flow (sandbox %s) over %d files of %d KiB, fresh home each round; %d rounds alternating, medians; page cache warm (source read in, not dropped); cores %s; load average %s\n' \
	"$SANDBOX" "$FILES" "$SIZE_KIB" "$ROUNDS" "$(nproc)" "$(loadavg)"
printf '  %-28s %s s (rounds: %s)\n' "lockstep run, first" "$(secs "$ls_ns")" "$(rounds "$work/ls.ns")"
printf '  %-28s %s s (rounds: %s)\n' "cp -r" "$(secs "$cp_ns")" "$(rounds "$work/cp.ns")"
printf '  lockstep / cp -r: %s (goal ≤ 0.8)\n' "$ratio"
result "first run $((FILES / 1000))k×${SIZE_KIB}KiB" "$(secs "$ls_ns") s" "$(secs "$cp_ns") s (cp -r)" "$ratio× cp -r" "≤ 0.8× cp -r" "$met"

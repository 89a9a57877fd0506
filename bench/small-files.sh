#!/usr/bin/env bash
# The first run of a one-step flow over a tree of FILES small files of
# SIZE_KIB KiB (default 10,000 × 16 KiB), against `cp -r` of the same
# tree. The run ingests the tree into a new home (hash, scan, store), places
# it where the step reads it, runs the step and records it durably; cp -r
# only copies, and leaves its copy unsynced. Goal: lockstep ≤ 0.8× cp -r.
# Also timed, as the floor of any store that keeps a file per object and
# makes what it stored durable: cp -r followed by a syncfs of its copy.
#
# lockstep and cp -r run alternately ROUNDS times (default 5), each round
# into a fresh destination (a new home, a new copy), on a fresh file
# system where the script can make one (see bench_dir in lib.sh); nothing
# is deleted before the end. Page cache: warm — the source tree is read in
# before every timed command and dirty pages are flushed, the cache itself
# is not dropped.
#
# Usage: [ROUNDS=N] [FILES=N] [SIZE_KIB=N] [SANDBOX=required|none] [LOCKSTEP=bin] bench/small-files.sh
# (SANDBOX defaults to required where bubblewrap works here, else none)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
FILES=${FILES:-10000}
SIZE_KIB=${SIZE_KIB:-16}
SANDBOX=${SANDBOX:-$(default_sandbox)}
lockstep=$(lockstep_bin)
bench_dir small
work=$BENCH_DIR
mkdir -p "$work/proj"
cd "$work/proj"
flow_project "$FILES" "$SIZE_KIB"
# settle: flushes what the last round made and reads the source tree in
# so that both tools find it in memory. Nothing is deleted until the end:
# see bench_dir.
settle() {
	sync
	find data -type f -exec cat {} + >/dev/null
}
for r in $(seq "$ROUNDS"); do
	settle
	LOCKSTEP_HOME="$work/home-$r" "$lockstep" init -q >/dev/null
	time_ns env LOCKSTEP_HOME="$work/home-$r" "$lockstep" run -q --sandbox "$SANDBOX" >>"$work/ls.ns"
	settle
	time_ns cp -r data "$work/copy-$r" >>"$work/cp.ns"
	settle
	time_ns sh -c 'cp -r data "$1" && sync -f "$1"' - "$work/durable-$r" >>"$work/cpsync.ns"
done
ls_ns=$(median <"$work/ls.ns")
cp_ns=$(median <"$work/cp.ns")
ratio=$(quotient "$ls_ns" "$cp_ns")
met=$(meets "$ratio" "<=" 0.8)
printf 'first run of a one-step flow (sandbox %s) over %d files of %d KiB, fresh home each round; %d rounds alternating, medians; page cache warm (source read in, not dropped); on %s; cores %s; load average %s\n' \
	"$SANDBOX" "$FILES" "$SIZE_KIB" "$ROUNDS" "$BENCH_FS_DESC" "$(nproc)" "$(loadavg)"
show "lockstep run, first" "$work/ls.ns"
show "cp -r" "$work/cp.ns"
show "floor: cp -r, then syncfs" "$work/cpsync.ns"
printf '  lockstep / cp -r: %s (goal ≤ 0.8); lockstep / durable copy: %s\n' "$ratio" "$(quotient "$ls_ns" "$(median <"$work/cpsync.ns")")"
result "first run $((FILES / 1000))k×${SIZE_KIB}KiB" "$(secs "$ls_ns") s" "$(secs "$cp_ns") s (cp -r)" "$ratio× cp -r" "≤ 0.8× cp -r" "$met"
result "first run vs a durable copy" "$(secs "$ls_ns") s" "$(secs "$(median <"$work/cpsync.ns")") s (cp -r + syncfs)" "$(quotient "$ls_ns" "$(median <"$work/cpsync.ns")")× floor" "-" "-"

#!/usr/bin/env bash
# A no-op rerun: `lockstep run` of an unchanged one-step flow whose input
# is a tree of FILES files of SIZE_KIB KiB (default 10,000 × 16 KiB). The
# step is a cache hit and every input file is recognised by the hash cache
# (device, inode, size, mtime, ctime) without being read or rescanned.
# The peer is `sha256sum` over the same files, the least any tool that
# does not remember hashes must do. Goal: lockstep at least 20× faster.
#
# The flow runs once untimed (it hashes, scans and stores the tree); then
# lockstep and sha256sum run alternately ROUNDS times (default 5) against
# the same home, the work being to notice that nothing changed. Page
# cache: warm for both (the files were just written and read), not
# dropped, since a no-op rerun follows a run.
#
# Usage: [ROUNDS=N] [FILES=N] [SIZE_KIB=N] [SANDBOX=none|required] [LOCKSTEP=bin] bench/noop-rerun.sh
# (SANDBOX none by default: a cached step under bubblewrap also pays for
# the executor checking the sandbox, which is not what this measures)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
FILES=${FILES:-10000}
SIZE_KIB=${SIZE_KIB:-16}
SANDBOX=${SANDBOX:-none}
lockstep=$(lockstep_bin)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-noop.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
flow_project "$FILES" "$SIZE_KIB"
"$lockstep" init -q >/dev/null
sleep 2 # files younger than 2 s are not remembered by the hash cache
"$lockstep" run -q --sandbox "$SANDBOX" >/dev/null
sha() { find data -type f -print0 | xargs -0 sha256sum; }
# The floor of any tool that notices a changed file without reading it:
# starting the program, and one stat of every file.
floor_stat() { find data -type f -printf '%s %T@ %C@ %i\n'; }
for _ in $(seq "$ROUNDS"); do
	time_ns "$lockstep" run -q --sandbox "$SANDBOX" >>"$work/ls.ns"
	time_ns sha >>"$work/sha.ns"
	time_ns "$lockstep" --version >>"$work/start.ns"
	time_ns floor_stat >>"$work/stat.ns"
done
ls_ns=$(median <"$work/ls.ns")
sha_ns=$(median <"$work/sha.ns")
ratio=$(quotient "$sha_ns" "$ls_ns" 1)
met=$(meets "$ratio" ">=" 20)
printf 'no-op rerun of a one-step flow (sandbox %s) over %d files of %d KiB; %d rounds alternating, medians; page cache warm (not dropped); cores %s; load average %s\n' \
	"$SANDBOX" "$FILES" "$SIZE_KIB" "$ROUNDS" "$(nproc)" "$(loadavg)"
show "lockstep run, unchanged" "$work/ls.ns"
show "sha256sum over the same files" "$work/sha.ns"
show "floor: lockstep --version (start-up)" "$work/start.ns"
show "floor: find -printf, a stat a file" "$work/stat.ns"
floor_ns=$(($(median <"$work/start.ns") + $(median <"$work/stat.ns")))
printf '  lockstep above its floor (start-up + a stat a file): %s s\n' "$(secs $((ls_ns - floor_ns)))"
printf '  sha256sum / lockstep: %s× (goal ≥ 20×)\n' "$ratio"
result "no-op rerun $((FILES / 1000))k×${SIZE_KIB}KiB" "$(secs "$ls_ns") s" "$(secs "$sha_ns") s (sha256sum)" "$ratio× faster" "≥ 20× faster" "$met"
result "no-op rerun vs its floor" "$(secs "$ls_ns") s" "$(secs "$floor_ns") s (start-up + stats)" "$(quotient "$ls_ns" "$floor_ns" 1)× floor" "-" "-"

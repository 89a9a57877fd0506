#!/usr/bin/env bash
# Measures lockstep's store ingest against cp -r and sha256sum on the same
# files, in one run:
#   - a mixed tree (3×128 MiB, 300×1 MiB, 3,000×16 KiB) copied into a fresh
#     store (as `lockstep data add` and a run's project inputs are), moved
#     into it (as a task's outputs are), and only hashed (as `lockstep
#     verify DIR` does);
#   - the hash cache: 10,000-file trees ingested a first time, then again
#     unchanged (every file recognised by device, inode, size and mtime).
#
# Usage: bench/ingest.sh [--small]
#   --small   a ~100 MiB mixed tree instead of ~730 MiB, 2,000-file trees
# RUNS=N       repeat each measurement N times (default 3), keep the fastest
# SIZES="K…"   file sizes in KiB of the many-file trees (default "16 128")
#
# Every timed command starts from the same state: nothing waiting to be
# written back (sync), and, when run as root, a dropped page cache with
# the source files read back in, so that no tool pays for evicting pages
# another left behind. Each timed run writes a new directory; the previous
# one is deleted and the script waits 6 s, because ext4 without a journal
# passes over inodes freed less than 5 s ago when it allocates new ones,
# which slows whichever tool runs right after a deletion.
set -euo pipefail # needs /usr/bin/time (Debian package "time")
cd "$(dirname "$0")/.."

big_n=3 big_size=$((128 << 20)) mid_n=300 small_n=3000 many_n=10000 runs=${RUNS:-3}
sizes=${SIZES:-16 128}
if [[ "${1:-}" == "--small" ]]; then
	big_n=1 big_size=$((32 << 20)) mid_n=50 small_n=500 many_n=2000
elif [[ -n "${1:-}" ]]; then
	echo "usage: bench/ingest.sh [--small]" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-ingest.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/ingest" ./bench/ingest
ingest=$work/ingest

field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
faster() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# settle DIR: flushes dirty pages and, as root, drops the page cache, then
# reads the files under DIR so that they come from memory.
settle() {
	sync
	if [[ $EUID -eq 0 ]]; then echo 1 >/proc/sys/vm/drop_caches; fi
	find "$1" -type f -exec cat {} + >/dev/null
}
# fresh NAME: removes $work/NAME and waits until ext4 will reuse its inodes.
fresh() {
	if [[ -e "$work/$1" ]]; then
		chmod -R u+w "$work/$1"
		rm -rf "${work:?}/$1"
		sync
		sleep 6
	fi
}

echo "generating data under $work ..."
"$ingest" -gen "$work/src/big" -files "$big_n" -size "$big_size"
"$ingest" -gen "$work/src/mid" -files "$mid_n" -size $((1 << 20))
"$ingest" -gen "$work/src/small" -files "$small_n" -size $((16 << 10))
for k in $sizes; do "$ingest" -gen "$work/many-$k" -files "$many_n" -size $((k << 10)); done
sleep 2 # files younger than 2 s are not remembered by the hash cache
total=$(du -sb "$work/src" | cut -f1)
files=$(find "$work/src" -type f | wc -l)
page_cache="page cache dropped before each run"
[[ $EUID -eq 0 ]] || page_cache="page cache not dropped (not root)"
printf 'mixed tree: %d files, %.0f MiB; cores=%s; load average %s; best of %d runs; %s\n' \
	"$files" "$(ratio "$total" 1048576)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" "$runs" "$page_cache"

# timed CMD NAME: runs CMD (which writes $work/NAME, if anything) $runs
# times under /usr/bin/time and prints "wall cpu" (seconds; cpu = user +
# system) of the fastest run. The fastest run is the least disturbed one
# on a shared machine; CPU seconds barely depend on the load.
timed() {
	local w u s bw="" bc=""
	for _ in $(seq "$runs"); do
		fresh "$2"
		settle "$work/src"
		/usr/bin/time -f '%e %U %S' -o "$work/time" bash -c "$1"
		read -r w u s <"$work/time"
		if [[ -z "$bw" ]] || faster "$w" "$bw"; then
			bw=$w bc=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		fi
	done
	echo "$bw $bc"
}
# best MODE SRC STORE PREP: runs bench/ingest $runs times and prints the
# output of the fastest run. PREP is "fresh" for a new store each time,
# "move" to also copy SRC to a new directory to be moved (untimed), or
# "keep" to reuse STORE.
best() {
	local out="" line s b="" src=$2
	for _ in $(seq "$runs"); do
		if [[ "$4" != keep ]]; then fresh "$3"; fi
		if [[ "$4" == move ]]; then
			mkdir -p "$work/$3"
			cp -r "$2" "$work/$3/src"
			src=$work/$3/src
		fi
		settle "$src"
		line=$("$ingest" -mode "$1" -store "$work/$3/store" -src "$src")
		s=$(field seconds "$line")
		if [[ -z "$b" ]] || faster "$s" "$b"; then b=$s out=$line; fi
	done
	echo "$out"
}

read -r cp_s cp_cpu < <(timed "cp -r '$work/src' '$work/cp'" cp)
read -r cps_s cps_cpu < <(timed "cp -r '$work/src' '$work/cp' && sync" cp)
fresh cp
read -r sha_s sha_cpu < <(timed "find '$work/src' -type f -print0 | xargs -0 sha256sum >/dev/null" none)
copy=$(best copy "$work/src" put fresh)
again=$(best copy "$work/src" put keep)
fresh put
move=$(best move "$work/src" moved move)
fresh moved
hash=$(best hash "$work/src" hashed fresh)

row() { printf '%-44s %9s %9s %14s %s\n' "$@"; }
lrow() { row "$1" "$(field seconds "$2")" "$(field cpu_seconds "$2")" "$(field peak_rss_mib "$2")" "${3:-}"; }
echo
row "mixed tree" "seconds" "CPU s" "peak RSS MiB" ""
row "cp -r" "$cp_s" "$cp_cpu" "" ""
row "cp -r + sync" "$cps_s" "$cps_cpu" "" ""
row "sha256sum (one process)" "$sha_s" "$sha_cpu" "" ""
lrow "lockstep ingest, copy (data add, inputs)" "$copy"
lrow "lockstep ingest, move (task outputs)" "$move"
lrow "lockstep hash only (verify DIR)" "$hash"
lrow "lockstep ingest again, unchanged" "$again" "read $(field hashed_bytes "$again") bytes"

copy_s=$(field seconds "$copy")
echo
printf '%-44s %9s %s\n' "ratio (wall seconds)" "value" "target"
printf '%-44s %9s %s\n' "copy / cp -r" "$(ratio "$copy_s" "$cp_s")" "<= 1.5"
printf '%-44s %9s %s\n' "copy / (cp -r + sync), both durable" "$(ratio "$copy_s" "$cps_s")" ""
printf '%-44s %9s %s\n' "sha256sum / copy" "$(ratio "$sha_s" "$copy_s")" ">= 5"
printf '%-44s %9s %s\n' "sha256sum / move" "$(ratio "$sha_s" "$(field seconds "$move")")" ""
printf '%-44s %9s %s\n' "sha256sum / hash only" "$(ratio "$sha_s" "$(field seconds "$hash")")" ""

echo
row "$many_n-file tree, file size" "first s" "again s" "first/again" "(target >= 20)"
for k in $sizes; do
	first=$(best copy "$work/many-$k" "many-$k-store" fresh)
	second=$(best copy "$work/many-$k" "many-$k-store" keep)
	row "$k KiB ($(ratio $((many_n * k)) 1024) MiB)" "$(field seconds "$first")" "$(field seconds "$second")" \
		"$(ratio "$(field seconds "$first")" "$(field seconds "$second")")" "read $(field hashed_bytes "$second") bytes again"
	fresh "many-$k-store"
done

#!/usr/bin/env bash
# Measures store.PutTree against cp -r and sha256sum on the same files, in
# one run, and the hash cache (a second PutTree of the unchanged tree).
#
# Usage: bench/ingest.sh [--small]
#   --small   a ~100 MiB data set instead of ~730 MiB (and 2,000 instead of
#             10,000 files for the cache test)
# RUNS=N      repeat each measurement N times (default 3) and keep the fastest
#
# Everything is created under one temp dir, removed on exit. Files are read
# once first so every tool reads from the page cache; cp's output is synced
# (untimed) before lockstep runs, since lockstep syncs what it writes.
set -euo pipefail # needs /usr/bin/time (Debian package "time")
cd "$(dirname "$0")/.."

big_n=3 big_size=$((128 << 20)) mid_n=300 small_n=3000 many_n=10000 runs=${RUNS:-3}
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

echo "generating data under $work ..."
"$ingest" -gen "$work/src/big" -files "$big_n" -size "$big_size"
"$ingest" -gen "$work/src/mid" -files "$mid_n" -size $((1 << 20))
"$ingest" -gen "$work/src/small" -files "$small_n" -size $((16 << 10))
"$ingest" -gen "$work/many" -files "$many_n" -size $((16 << 10))
sync
total=$(du -sb "$work/src" | cut -f1)
files=$(find "$work/src" -type f | wc -l)
printf 'mixed tree: %d files, %.0f MiB; cores=%s; load average %s; best of %d runs\n' \
	"$files" "$(ratio "$total" 1048576)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" "$runs"
cat "$work"/src/*/*/* "$work"/many/*/* >/dev/null # warm the page cache

# measure PREP CMD: runs PREP (untimed), then CMD under /usr/bin/time,
# $runs times, and prints "wall cpu" (seconds; cpu = user + system) of the
# fastest run. The machine may be shared: the fastest run is the least
# disturbed one, and CPU seconds barely depend on the load.
measure() {
	local w u s bw="" bc=""
	for _ in $(seq "$runs"); do
		bash -c "$1"
		/usr/bin/time -f '%e %U %S' -o "$work/time" bash -c "$2"
		read -r w u s <"$work/time"
		if [[ -z "$bw" ]] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
			bw=$w bc=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		fi
	done
	echo "$bw $bc"
}
# best_ingest STORE SRC FRESH: runs bench/ingest $runs times and prints the
# output of the fastest run; FRESH=1 starts every run from an empty store.
best_ingest() {
	local out="" line s b=""
	for _ in $(seq "$runs"); do
		if [[ "$3" == 1 ]]; then chmod -R u+w "$work/$1" 2>/dev/null || true; rm -rf "$work/$1"; sync; fi
		line=$("$ingest" -store "$work/$1" -src "$2")
		s=$(field seconds "$line")
		if [[ -z "$b" ]] || awk -v s="$s" -v b="$b" 'BEGIN { exit !(s < b) }'; then b=$s out=$line; fi
	done
	echo "$out"
}

clean_copy="rm -rf '$work/cp-copy'; sync"
read -r cp_s cp_cpu < <(measure "$clean_copy" "cp -r '$work/src' '$work/cp-copy'")
read -r cp_sync_s cp_sync_cpu < <(measure "$clean_copy" "cp -r '$work/src' '$work/cp-copy' && sync")
bash -c "$clean_copy"
read -r sha_s sha_cpu < <(measure true "find '$work/src' -type f -print0 | xargs -0 sha256sum >/dev/null")

sleep 2 # files younger than 2 s are not remembered by the hash cache
first=$(best_ingest store "$work/src" 1)
second=$(best_ingest store "$work/src" 0)
many1=$(best_ingest store-many "$work/many" 1)
best_ingest store-many "$work/many" 1 >/dev/null # leave a store whose cache knows the tree
many2=$(best_ingest store-many "$work/many" 0)

first_s=$(field seconds "$first") second_s=$(field seconds "$second")
many1_s=$(field seconds "$many1") many2_s=$(field seconds "$many2")
first_cpu=$(field cpu_seconds "$first")

row() { printf '%-40s %9s %9s %14s %s\n' "$@"; }
echo
row "mixed tree" "seconds" "CPU s" "peak RSS MiB" ""
row "cp -r" "$cp_s" "$cp_cpu" "" ""
row "cp -r + sync" "$cp_sync_s" "$cp_sync_cpu" "" ""
row "sha256sum (one process)" "$sha_s" "$sha_cpu" "" ""
row "lockstep PutTree, fresh store" "$first_s" "$first_cpu" "$(field peak_rss_mib "$first")" ""
row "lockstep PutTree, unchanged (cache)" "$second_s" "$(field cpu_seconds "$second")" "$(field peak_rss_mib "$second")" "hashed $(field hashed_bytes "$second") bytes"
row "lockstep PutTree, $many_n files, first" "$many1_s" "$(field cpu_seconds "$many1")" "$(field peak_rss_mib "$many1")" ""
row "lockstep PutTree, $many_n files, second" "$many2_s" "$(field cpu_seconds "$many2")" "$(field peak_rss_mib "$many2")" "hashed $(field hashed_bytes "$many2") bytes"

echo
printf '%-40s %9s %s\n' "ratio (wall seconds)" "value" "target"
printf '%-40s %9s %s\n' "lockstep / cp -r" "$(ratio "$first_s" "$cp_s")" "<= 1.5"
printf '%-40s %9s %s\n' "lockstep / (cp -r + sync)" "$(ratio "$first_s" "$cp_sync_s")" ""
printf '%-40s %9s %s\n' "sha256sum / lockstep" "$(ratio "$sha_s" "$first_s")" ">= 5"
printf '%-40s %9s %s\n' "sha256sum / lockstep, CPU seconds" "$(ratio "$sha_cpu" "$first_cpu")" ""
printf '%-40s %9s %s\n' "first / second (mixed tree)" "$(ratio "$first_s" "$second_s")" ""
printf '%-40s %9s %s\n' "first / second ($many_n files)" "$(ratio "$many1_s" "$many2_s")" ">= 20"

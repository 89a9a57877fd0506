#!/usr/bin/env bash
# `lockstep data add` of a mixed tree (3×128 MiB, 300×1 MiB, 3,000×16 KiB;
# --small: 1×32 MiB, 50×1 MiB, 500×16 KiB) into a fresh home, against
# `cp -r` of the same tree. data add reads every byte, hashes it, copies it
# into the store (reflinked where the file system can), scans it, makes it
# durable and signs nothing (no key); cp -r only copies and leaves its
# copy unsynced. The comparison of record: ≤ 1.5× cp -r.
#
# The two run alternately ROUNDS times (default 5), each into a fresh
# destination, on a fresh file system where the script can make one (see
# bench_dir in lib.sh); nothing is deleted before the end. Page cache:
# warm — the source is read in before every timed command and dirty pages
# are flushed; the cache itself is not dropped.
#
# Usage: [ROUNDS=N] [LOCKSTEP=bin] bench/ingest.sh [--small]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
big_n=3 big_mib=128 mid_n=300 small_n=3000
if [[ "${1:-}" == "--small" ]]; then
	big_n=1 big_mib=32 mid_n=50 small_n=500
elif [[ -n "${1:-}" ]]; then
	echo "usage: bench/ingest.sh [--small]" >&2
	exit 2
fi
lockstep=$(lockstep_bin)
# Every round's home and copy are kept until the end: room for them all.
BENCH_FS_GIB=${BENCH_FS_GIB:-$(((big_n * big_mib + mid_n + small_n / 32) * (2 * ROUNDS + 1) / 1024 + 2))}
bench_dir ingest
work=$BENCH_DIR
python3 - "$work/src" "$big_n" "$big_mib" "$mid_n" "$small_n" <<'PY'
import os, sys
root, big_n, big_mib, mid_n, small_n = sys.argv[1], *map(int, sys.argv[2:])
def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"#bench\n")  # no known format: a scan looks, finds data
        left = size - 7
        while left > 0:
            f.write(os.urandom(min(left, 1 << 20)))
            left -= 1 << 20
for i in range(big_n): write(f"{root}/big/b{i}.bin", big_mib << 20)
for i in range(mid_n): write(f"{root}/mid/m{i:03d}.bin", 1 << 20)
for i in range(small_n): write(f"{root}/small/{i // 100:02d}/s{i:04d}.bin", 16 << 10)
PY
settle() {
	find "$work/src" -type f -exec cat {} + >/dev/null
	sync
}
for r in $(seq "$ROUNDS"); do
	settle
	LOCKSTEP_HOME="$work/home-$r" "$lockstep" init -q >/dev/null
	time_ns env LOCKSTEP_HOME="$work/home-$r" "$lockstep" data add -q bench@1 "$work/src" >>"$work/ls.ns"
	settle
	time_ns cp -r "$work/src" "$work/copy-$r" >>"$work/cp.ns"
done
ls_ns=$(median <"$work/ls.ns")
cp_ns=$(median <"$work/cp.ns")
ratio=$(quotient "$ls_ns" "$cp_ns")
met=$(meets "$ratio" "<=" 1.5)
mib=$(du -sm "$work/src" | cut -f1)
files=$(find "$work/src" -type f | wc -l)
printf 'lockstep data add of a mixed tree (%d files, %d MiB) into a fresh home; %d rounds alternating, medians; page cache warm (source read in, not dropped); on %s; cores %s; load average %s\n' \
	"$files" "$mib" "$ROUNDS" "$BENCH_FS_DESC" "$(nproc)" "$(loadavg)"
show "lockstep data add" "$work/ls.ns"
show "cp -r" "$work/cp.ns"
printf '  data add / cp -r: %s (goal ≤ 1.5)\n' "$ratio"
result "data add ${mib} MiB mixed tree" "$(secs "$ls_ns") s" "$(secs "$cp_ns") s (cp -r)" "$ratio× cp -r" "≤ 1.5× cp -r" "$met"

#!/bin/sh
# bench/scan.sh — throughput of lockstep's scanner beside Python's
# pickletools.genops on the same PyTorch checkpoint.
#
# Builds a 1 GiB PyTorch zip with torch.save (16 stored 64 MiB tensors plus
# 4000 small ones, so data.pkl is a realistic size), then times:
#   lockstep: internal/scan over the whole file (every member is looked at,
#             tensor storages are recognised and skipped by size)
#   python:   zipfile + pickletools.genops over every pickle member
# and prints both throughputs (file bytes per second) and their ratio.
# Both sides keep their best of ROUNDS rounds (default 20) over a file that
# is in the page cache and written back, so that neither reads the disk.
# Usage: [ROUNDS=N] bench/scan.sh [SIZE_MIB]   (default 1024; needs /usr/bin/python3 with torch)
set -eu
cd "$(dirname "$0")/.."
size=${1:-1024}
rounds=${ROUNDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work/model.pt" "$size" <<'PY'
import sys, torch
path, mib = sys.argv[1], int(sys.argv[2])
big = max(mib // 64, 1)
sd = {"big.%d" % i: torch.zeros(64 << 18) for i in range(big)}
for i in range(4000):
    sd["layer.%d.weight" % i] = torch.ones(4)
torch.save(sd, path)
PY
sync

go build -o "$work/scan-bench" ./bench/scan
bytes=$(stat -c %s "$work/model.pt")
ours=$("$work/scan-bench" -rounds "$rounds" "$work/model.pt")
echo "$ours"

/usr/bin/python3 - "$work/model.pt" "$rounds" <<'PY' > "$work/python.txt"
import sys, time, zipfile, pickletools, os
path = sys.argv[1]
best = None
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    ops = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.endswith(".pkl"):
                with z.open(info) as f:
                    for _ in pickletools.genops(f):
                        ops += 1
    t = time.perf_counter() - start
    best = t if best is None else min(best, t)
size = os.path.getsize(path)
print("python-genops %d bytes in %.3fs: %.1f MB/s (%d opcodes)" % (size, best, size / best / 1e6, ops))
PY
cat "$work/python.txt"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, ": "); split(b, y, ": "); printf "%.1f\n", x[2] / y[2] }'; }
echo "whole checkpoint ($bytes bytes): lockstep/python throughput ratio $(ratio "$ours" "$(cat "$work/python.txt")")"

# The pickle engines alone: the checkpoint's data.pkl as a raw pickle file.
/usr/bin/python3 - "$work/model.pt" "$work/data.pkl" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = [n for n in z.namelist() if n.endswith("data.pkl")][0]
    open(sys.argv[2], "wb").write(z.read(name))
PY
ours=$("$work/scan-bench" -rounds "$rounds" "$work/data.pkl")
theirs=$(/usr/bin/python3 - "$work/data.pkl" "$rounds" <<'PY'
import sys, time, pickletools, os
best = None
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    with open(sys.argv[1], "rb") as f:
        n = sum(1 for _ in pickletools.genops(f))
    t = time.perf_counter() - start
    best = t if best is None else min(best, t)
size = os.path.getsize(sys.argv[1])
print("python-genops %d bytes in %.3fs: %.1f MB/s (%d opcodes)" % (size, best, size / best / 1e6, n))
PY
)
echo "$ours"
echo "$theirs"
echo "pickle alone: lockstep/python throughput ratio $(ratio "$ours" "$theirs")"

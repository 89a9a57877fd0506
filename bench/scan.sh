#!/usr/bin/env bash
# `lockstep scan` of a PyTorch checkpoint (default 500 MiB: 64 MiB stored
# tensors plus 4,000 small ones, so data.pkl is a realistic size) against
# the floor of any command: the same binary starting and exiting
# (`lockstep --version`). The scanner walks every pickle member and
# recognises tensor storages by size without reading them, so the scan
# should cost little beyond start-up. Goal: ≤ 1.2× the start-up.
#
# The two run alternately ROUNDS times (default 5); medians. Page cache:
# warm — the checkpoint was just written and synced, and is not dropped.
# For scale, Python's pickletools.genops over the same pickle members is
# timed once per round too (shown, not the goal).
#
# Usage: [ROUNDS=N] [LOCKSTEP=bin] bench/scan.sh [SIZE_MIB]   (needs /usr/bin/python3 with torch)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
size=${1:-500}
lockstep=$(lockstep_bin)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-scan.XXXXXX")
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
cat >"$work/genops.py" <<'PY'
import sys, zipfile, pickletools
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        if info.filename.endswith(".pkl"):
            with z.open(info) as f:
                for _ in pickletools.genops(f):
                    pass
PY
# A checkpoint is a pickle: refused by default, allowed (exit 0) under
# allow-safe when its imports are all on the safe list, as torch's are.
scan_it() { "$lockstep" scan --pickle allow-safe "$work/model.pt"; }
start() { "$lockstep" --version; }
genops() { /usr/bin/python3 "$work/genops.py" "$work/model.pt"; }
scan_it >/dev/null # fails here, not in the timing, if the verdict is not "allowed"
for _ in $(seq "$ROUNDS"); do
	time_ns scan_it >>"$work/scan.ns"
	time_ns start >>"$work/start.ns"
	time_ns genops >>"$work/py.ns"
done
scan_ns=$(median <"$work/scan.ns")
start_ns=$(median <"$work/start.ns")
py_ns=$(median <"$work/py.ns")
ratio=$(quotient "$scan_ns" "$start_ns")
met=$(meets "$ratio" "<=" 1.2)
printf 'lockstep scan of a %s-byte PyTorch checkpoint; %d rounds alternating, medians; page cache warm (not dropped); cores %s; load average %s\n' \
	"$(stat -c %s "$work/model.pt")" "$ROUNDS" "$(nproc)" "$(loadavg)"
show "lockstep scan" "$work/scan.ns"
show "lockstep --version (start-up)" "$work/start.ns"
show "python pickletools.genops (scale)" "$work/py.ns"
printf '  scan / start-up: %s (goal ≤ 1.2)\n' "$ratio"
result "scan ${size} MiB checkpoint" "$(secs "$scan_ns") s" "$(secs "$start_ns") s (start-up)" "$ratio× start-up" "≤ 1.2× start-up" "$met"

#!/usr/bin/env bash
# How much of `lockstep data add` of a 2,000-file dataset is the scanner:
# the share of the CPU profile's samples under internal/scan, for a first
# add (everything scanned) and a re-add of the same tree (verdicts
# remembered by digest). The tree is what a tabular dataset looks like:
# 1,000 CSV shards of 64 KiB (quoted text columns included), 500 JSON-lines
# files of 16 KiB and 500 binary blobs of 16 KiB.
# Goal: the scan under 5% of the samples.
#
# Each round adds to a fresh home with LOCKSTEP_CPUPROFILE set, on a fresh
# file system where the script can make one (see bench_dir in lib.sh); the
# samples of ROUNDS rounds (default 5) are pooled. Needs go (go tool pprof).
#
# Usage: [ROUNDS=N] [LOCKSTEP=bin] bench/data-add-scan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
lockstep=$(lockstep_bin)
BENCH_FS_GIB=${BENCH_FS_GIB:-$((ROUNDS / 2 + 2))}
bench_dir data-add-scan
work=$BENCH_DIR
python3 - "$work/data" <<'PY'
import json, os, random, sys
root = sys.argv[1]
rnd = random.Random(1)
for i in range(2000):
    d = os.path.join(root, "part-%02d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    if i % 4 < 2:
        rows = ["id,city,score,comment"]
        while sum(len(r) + 1 for r in rows) < 64 << 10:
            n = len(rows)
            rows.append('%d,"%s",%.4f,"said ""%s"", then left"' % (n, rnd.choice(["Oslo", "Lyon, FR", "Kyiv"]), rnd.random(), rnd.choice(["hi", "ok"])))
        open(os.path.join(d, "shard-%04d.csv" % i), "w").write("\n".join(rows) + "\n")
    elif i % 4 == 2:
        with open(os.path.join(d, "events-%04d.jsonl" % i), "w") as f:
            while f.tell() < 16 << 10:
                f.write(json.dumps({"id": rnd.randrange(1 << 30), "tags": ["a", "b"], "v": rnd.random()}) + "\n")
    else:
        open(os.path.join(d, "blob-%04d.bin" % i), "wb").write(rnd.randbytes(16 << 10))
PY
share() { # PROFILES...: percent of samples under internal/scan
	go tool pprof -top -nodecount=1000000 -focus='lockstep/internal/scan\.' "$lockstep" "$@" 2>/dev/null |
		awk '/^Showing nodes accounting for/ { gsub("%", "", $(NF-3)); print $(NF-3); exit }'
}
for _ in $(seq "$ROUNDS"); do
	home=$(mktemp -d "$work/home.XXXXXX")
	LOCKSTEP_HOME="$home" "$lockstep" init -q >/dev/null
	LOCKSTEP_HOME="$home" LOCKSTEP_CPUPROFILE="$work/first.prof" "$lockstep" data add -q bench@1 "$work/data" >/dev/null
	LOCKSTEP_HOME="$home" LOCKSTEP_CPUPROFILE="$work/again.prof" "$lockstep" data add -q bench@2 "$work/data" >/dev/null
done
first=$(share "$work"/first.prof.*)
again=$(share "$work"/again.prof.*)
met=$(meets "${first:-100}" "<" 5)
printf 'lockstep data add of 2,000 files (1,000 CSV of 64 KiB, 500 JSON lines, 500 binary); CPU samples of %d rounds pooled; on %s; cores %s; load average %s\n' \
	"$ROUNDS" "$BENCH_FS_DESC" "$(nproc)" "$(loadavg)"
printf '  share of samples in internal/scan: first add %s%%, re-add %s%% (goal < 5%%)\n' "${first:-0}" "${again:-0}"
result "data add 2k files: scan share" "${first:-0}% first, ${again:-0}% re-add" "-" "-" "< 5% of samples" "$met"

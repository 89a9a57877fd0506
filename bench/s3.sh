#!/usr/bin/env bash
# lockstep against `rclone copy` on the same local S3 server (versitygw over
# a posix folder): upload and download of SIZE_MIB (default 2 GiB) of mixed
# file sizes, in three sets timed apart — small files (1 KiB … 1 MiB, an
# eighth of SIZE_MIB), medium (4 … 64 MiB, an eighth) and large (up to
# 512 MiB each, the rest). lockstep goes the user's way: `data add` into a
# home whose store is the bucket (every file hashed, scanned, uploaded with
# its sha256 checksum), then `data get` from a fresh read cache (every byte
# downloaded and rehashed against its digest). rclone uses its defaults
# (4 transfers, MD5 checked). Each figure is the median of ROUNDS rounds
# (at least 3), the two tools taking turns in every round so that a change
# in the machine's load hits both alike; the load average before and after
# is printed with the table. The page cache is warm on both sides: the
# files are read once before timing, and the server's copies were just
# written. Neither tool forces downloads to disk. versitygw runs with
# --keep-alive, as every production S3 service keeps connections open
# (without it, each request of either tool opens a new connection).
# Then the iris demo flow is run with the cache off against a file:// and an
# s3:// store, and the per-step overhead is compared.
#
#   bench/s3.sh                              2 GiB, 3 rounds
#   SIZE_MIB=256 ROUNDS=1 bench/s3.sh        a quick run
#
# Needs versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)
# and rclone (Debian package rclone).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-2048}
ROUNDS=${ROUNDS:-3}
[ "$ROUNDS" -ge 3 ] || { echo "ROUNDS=$ROUNDS: a median needs at least 3 rounds" >&2; exit 2; }
make -s build
repo=$PWD
lockstep="$PWD/bin/lockstep"
vgw=$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")
[ -x "$vgw" ] || { echo "versitygw not found: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0" >&2; exit 1; }
command -v rclone >/dev/null || { echo "rclone not found: apt-get install rclone" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-s3.XXXXXX")
cleanup() { [ -n "${vgw_pid:-}" ] && kill "$vgw_pid" 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
mkdir -p "$work/gw"
"$vgw" --port "127.0.0.1:$port" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --keep-alive --quiet posix "$work/gw" >"$work/gw.log" 2>&1 &
vgw_pid=$!
export RCLONE_CONFIG_GW_TYPE=s3 RCLONE_CONFIG_GW_PROVIDER=Other RCLONE_CONFIG_GW_ENDPOINT="$endpoint" \
  RCLONE_CONFIG_GW_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_GW_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  RCLONE_CONFIG_GW_REGION=us-east-1
# rclone 1.60 fails with AWS_CA_BUNDLE set (LoadCustomCABundleError: it gives
# the AWS SDK its own transport); lockstep keeps it.
export RCLONE_CONFIG_GW_ENV_AUTH=false
rclone() { env -u AWS_CA_BUNDLE rclone -q "$@"; }
for _ in $(seq 100); do rclone lsd gw: >/dev/null 2>&1 && break; sleep 0.1; done

# The data: three sets of random files (starting with a byte that is no
# pickle opcode, as a scanner may try any file as a pickle stream).
python3 - "$work/data" "$SIZE_MIB" <<'PY'
import os, sys
root, size = sys.argv[1], int(sys.argv[2]) << 20
def write(path, n):
    with open(path, "wb") as f:
        f.write(b"#lsbench\n"[:n])
        n -= min(n, 9)
        while n > 0:
            f.write(os.urandom(min(n, 1 << 20)))
            n -= 1 << 20
sets = {
    "small": (size // 8, [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20]),
    "medium": (size // 8, [4 << 20, 16 << 20, 64 << 20]),
    "large": (size - size // 4, [min(512 << 20, max(1 << 20, (size - size // 4) // 3))]),
}
for name, (total, sizes) in sets.items():
    d = os.path.join(root, name)
    os.makedirs(d)
    i = 0
    while total > 0:
        n = min(sizes[i % len(sizes)], total)
        write(os.path.join(d, "f%05d.bin" % i), n)
        total -= n
        i += 1
    print("%-6s %5d files, %5d MiB" % (name, i, sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)) >> 20))
PY
cat "$work"/data/*/* >/dev/null

now() { date +%s%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A T
n=0

for r in $(seq "$ROUNDS"); do
  for set in small medium large; do
    # lockstep: a home whose store is a new bucket.
    n=$((n + 1)); b="bench-$n"; rclone mkdir "gw:$b"
    home="$work/ls-$b"; mkdir -p "$home" && cd "$home"
    "$lockstep" init -q --store "s3://$b/lockstep?endpoint=$endpoint&region=us-east-1" >/dev/null 2>&1
    t0=$(now); "$lockstep" data add -q "$set@1" "$work/data/$set" >/dev/null; t1=$(now)
    T[ls-up-$set]+="$(( (t1 - t0) / 1000000 )) "
    rm -rf "$home/.lockstep/cache/objects"
    t0=$(now); "$lockstep" data get -q "$set@1" "$work/get-$b" >/dev/null; t1=$(now)
    T[ls-down-$set]+="$(( (t1 - t0) / 1000000 )) "
    cd "$work"; chmod -R u+w "$work/get-$b"; rm -rf "$work/get-$b" "$home"
    rclone purge "gw:$b"
    # rclone: a new bucket.
    n=$((n + 1)); b="bench-$n"; rclone mkdir "gw:$b"
    t0=$(now); rclone copy "$work/data/$set" "gw:$b/$set"; t1=$(now)
    T[rc-up-$set]+="$(( (t1 - t0) / 1000000 )) "
    t0=$(now); rclone copy "gw:$b/$set" "$work/get-$b"; t1=$(now)
    T[rc-down-$set]+="$(( (t1 - t0) / 1000000 )) "
    rm -rf "$work/get-$b"; rclone purge "gw:$b"
  done
done

load_after=$(load)
mib() { du -sm --apparent-size "$work/data/$1" | cut -f1; }
printf '\n%-8s %-9s %10s %10s %10s %10s %8s\n' set direction "lockstep ms" "MB/s" "rclone ms" "MB/s" "ratio"
for set in small medium large; do
  for dir in up down; do
    l=$(echo "${T[ls-$dir-$set]}" | tr ' ' '\n' | grep . | median)
    c=$(echo "${T[rc-$dir-$set]}" | tr ' ' '\n' | grep . | median)
    awk -v s="$set" -v d="$dir" -v l="$l" -v c="$c" -v m="$(mib "$set")" 'BEGIN {
      mb = m * 1048576 / 1e6
      printf "%-8s %-9s %10d %10.0f %10d %10.0f %7.2fx\n", s, d, l, mb / (l / 1000), c, mb / (c / 1000), c / l }'
  done
done
echo "(ratio: rclone time / lockstep time; above 1 lockstep is faster; medians of $ROUNDS rounds;"
echo " $(nproc) CPUs, load average $load_before before, $load_after after; page cache warm)"

# The demo flow, cache off, against a file:// and an s3:// store, run in
# turn (so that a change in the machine's load hits both alike).
DEMO_ROUNDS=${DEMO_ROUNDS:-5}
sandbox=(); command -v bwrap >/dev/null || sandbox=(--sandbox none)
rclone mkdir gw:demo
for kind in file s3; do
  cp -r "$repo/examples/iris" "$work/demo-$kind"; cd "$work/demo-$kind"
  rm -rf .lockstep # a home the demo left in the example is not this one
  if [ "$kind" = s3 ]; then "$lockstep" init -q --store "s3://demo/lockstep?endpoint=$endpoint&region=us-east-1" >/dev/null 2>&1
  else "$lockstep" init -q >/dev/null 2>&1; fi
  "$lockstep" run -q "${sandbox[@]}" >/dev/null 2>&1 # warm: the code and data objects in place
done
declare -A D
for _ in $(seq "$DEMO_ROUNDS"); do
  for kind in file s3; do
    cd "$work/demo-$kind"
    t0=$(now); "$lockstep" run -q --no-cache "${sandbox[@]}" >/dev/null 2>&1; t1=$(now)
    D[$kind]+="$(( (t1 - t0) / 1000000 )) "
  done
done
cd "$work"
f=$(echo "${D[file]}" | tr ' ' '\n' | grep . | median)
s=$(echo "${D[s3]}" | tr ' ' '\n' | grep . | median)
awk -v f="$f" -v s="$s" -v r="$DEMO_ROUNDS" 'BEGIN { printf "\niris demo (3 steps, --no-cache, median of %d): file:// %d ms, s3:// %d ms; %+.0f ms per step (%.2fx)\n", r, f, s, (s - f) / 3, s / f }'

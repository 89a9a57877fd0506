#!/usr/bin/env bash
# `lockstep data add` of a directory (default 2 GiB: 64 files of 32 MiB)
# against `restic backup` and `git annex add` of the same directory: each
# tool reads every byte, hashes it and stores it in its repository. Every
# tool starts from a cold repository and a warm page cache (one untimed read
# first), so the comparison is of the tools, not of the disk.
#
#   bench/data-add.sh                 2 GiB
#   SIZE_MIB=256 bench/data-add.sh    a smaller run
#
# restic and git-annex are Debian packages; as root the script installs
# them when missing, otherwise it skips the ones it cannot find.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-2048}
FILES=${FILES:-64}
make -s build
lockstep="$PWD/bin/lockstep"
if [ "$(id -u)" = 0 ] && { ! command -v restic >/dev/null || ! command -v git-annex >/dev/null; }; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic git-annex >/dev/null 2>&1 || true
fi
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-data-add.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data"
per=$(( SIZE_MIB * 1024 * 1024 / FILES ))
python3 - "$work/data" "$FILES" "$per" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
block = 1 << 20
for i in range(n):
    with open(os.path.join(d, "part-%04d.bin" % i), "wb") as f:
        # Start with a byte that is no pickle opcode: a content scanner may
        # try random bytes as a pickle stream, and this is about hashing.
        f.write(b"#lsbench\n")
        left = size - 9
        while left > 0:
            f.write(os.urandom(min(block, left)))
            left -= block
PY
cat "$work"/data/* >/dev/null
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# lockstep: a fresh home, one add.
mkdir -p "$work/ls" && cd "$work/ls"
"$lockstep" init -q >/dev/null 2>&1 || true
t0=$(now); "$lockstep" data add -q bench@1 "$work/data" >/dev/null; t1=$(now)
lockstep_ms=$(ms "$t0" "$t1")
printf '%-40s %8s ms\n' "lockstep data add (${SIZE_MIB} MiB, $FILES files)" "$lockstep_ms"

results=()
if command -v restic >/dev/null; then
	export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$work/restic"
	restic init -q >/dev/null
	t0=$(now); restic backup -q "$work/data" >/dev/null; t1=$(now)
	restic_ms=$(ms "$t0" "$t1")
	printf '%-40s %8s ms\n' "restic backup" "$restic_ms"
	results+=("restic:$restic_ms")
else
	echo "restic not found (apt-get install restic): skipped"
fi
if command -v git-annex >/dev/null; then
	mkdir -p "$work/annex" && cd "$work/annex"
	git init -q . && git config user.email bench@example.org && git config user.name bench
	git annex init -q bench >/dev/null 2>&1
	cp -al "$work/data" "$work/annex/data" 2>/dev/null || cp -r "$work/data" "$work/annex/data"
	cat "$work"/annex/data/* >/dev/null
	t0=$(now); git annex add -q data >/dev/null 2>&1; t1=$(now)
	annex_ms=$(ms "$t0" "$t1")
	printf '%-40s %8s ms\n' "git annex add" "$annex_ms"
	results+=("git-annex:$annex_ms")
else
	echo "git-annex not found (apt-get install git-annex): skipped"
fi
for r in "${results[@]}"; do
	awk -v n="${r%%:*}" -v t="${r##*:}" -v l="$lockstep_ms" 'BEGIN {printf "%s / lockstep: %.2fx (above 1: lockstep is faster)\n", n, t / l}'
done

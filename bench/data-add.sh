#!/usr/bin/env bash
# `lockstep data add` of a directory (default 2 GiB: 64 files of 32 MiB)
# against `restic backup` and `git annex add` of the same directory: each
# tool reads every byte, hashes it and stores it in its repository. Goal:
# lockstep the fastest of the three.
#
# The tools run one after the other, ROUNDS times (default 5), each round
# into fresh repositories; medians. Page cache: warm — the data is read in
# before every timed command (git-annex gets a hardlinked copy of it, read
# in too, since it moves what it adds), and not dropped.
#
#   bench/data-add.sh                 2 GiB
#   SIZE_MIB=256 bench/data-add.sh    a smaller run
#
# restic and git-annex are Debian packages; as root the script installs
# them when missing, otherwise it skips the ones it cannot find.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SIZE_MIB=${SIZE_MIB:-2048}
FILES=${FILES:-64}
lockstep=$(lockstep_bin)
if [ "$(id -u)" = 0 ] && { ! command -v restic >/dev/null || ! command -v git-annex >/dev/null; }; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic git-annex >/dev/null 2>&1 || true
fi
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-data-add.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data"
python3 - "$work/data" "$FILES" $((SIZE_MIB * 1024 * 1024 / FILES)) <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(d, "part-%04d.bin" % i), "wb") as f:
        f.write(b"#lsbench\n")  # no known format: this is about hashing and storing
        left = size - 9
        while left > 0:
            f.write(os.urandom(min(1 << 20, left)))
            left -= 1 << 20
PY
fresh() {
	chmod -R u+w "$work/out" 2>/dev/null || true
	rm -rf "$work/out"
	sync
	mkdir -p "$work/out"
	cat "$work"/data/* >/dev/null
}
tools=(lockstep)
command -v restic >/dev/null && tools+=(restic) || echo "restic not found (apt-get install restic): skipped"
command -v git-annex >/dev/null && tools+=(git-annex) || echo "git-annex not found (apt-get install git-annex): skipped"
run_lockstep() { LOCKSTEP_HOME="$work/out/home" "$lockstep" data add -q bench@1 "$work/data"; }
run_restic() { RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$work/out/restic" restic backup -q "$work/data"; }
run_git-annex() { (cd "$work/out/annex" && git annex add -q data >/dev/null 2>&1); }
prepare() {
	case $1 in
	lockstep) LOCKSTEP_HOME="$work/out/home" "$lockstep" init -q >/dev/null ;;
	restic) RESTIC_PASSWORD=bench restic init -q -r "$work/out/restic" >/dev/null ;;
	git-annex)
		mkdir -p "$work/out/annex"
		(cd "$work/out/annex" && git init -q . && git config user.email bench@example.org && git config user.name bench &&
			git annex init -q bench >/dev/null 2>&1)
		cp -al "$work/data" "$work/out/annex/data" 2>/dev/null || cp -r "$work/data" "$work/out/annex/data"
		cat "$work"/out/annex/data/* >/dev/null
		;;
	esac
}
for _ in $(seq "$ROUNDS"); do
	for t in "${tools[@]}"; do
		fresh
		prepare "$t"
		time_ns "run_$t" >>"$work/$t.ns"
	done
done
printf 'data add of %d MiB in %d files, fresh repositories each round; %d rounds, tools alternating, medians; page cache warm (not dropped); cores %s; load average %s\n' \
	"$SIZE_MIB" "$FILES" "$ROUNDS" "$(nproc)" "$(loadavg)"
ls_ns=$(median <"$work/lockstep.ns")
peer="" peer_ns="" met=yes
for t in "${tools[@]}"; do
	m=$(median <"$work/$t.ns")
	show "$t" "$work/$t.ns"
	[[ $t == lockstep ]] && continue
	if [[ -z "$peer_ns" ]] || ((m < peer_ns)); then peer=$t peer_ns=$m; fi
	((ls_ns < m)) || met=no
done
if [[ -z "$peer" ]]; then
	result "data add ${SIZE_MIB} MiB" "$(secs "$ls_ns") s" "n/a (no restic, no git-annex)" "-" "fastest of lockstep, restic, git annex" "n/a"
	exit 0
fi
ratio=$(quotient "$peer_ns" "$ls_ns" 1)
printf '  fastest peer (%s) / lockstep: %s× (above 1: lockstep is faster)\n' "$peer" "$ratio"
result "data add ${SIZE_MIB} MiB" "$(secs "$ls_ns") s" "$(secs "$peer_ns") s ($peer)" "$ratio× faster" "fastest of lockstep, restic, git annex" "$met"

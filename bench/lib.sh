# bench/lib.sh — helpers shared by the side-by-side bench scripts; source it.
#
# Each script runs lockstep and its peer alternately for ROUNDS rounds
# (default 5, at least 5), prints the median of each, their ratio and the
# load average, and ends with one line a table can collect:
#   RESULT<TAB>work<TAB>lockstep<TAB>peer<TAB>ratio<TAB>goal<TAB>met

ROUNDS=${ROUNDS:-5}
if [[ "$ROUNDS" -lt 5 ]]; then
	echo "ROUNDS must be at least 5 (got $ROUNDS)" >&2
	exit 2
fi

# lockstep_bin: the binary under test, $LOCKSTEP if set, else one built now.
lockstep_bin() {
	if [[ -n "${LOCKSTEP:-}" ]]; then
		echo "$LOCKSTEP"
		return
	fi
	go build -o bin/lockstep ./cmd/lockstep >&2
	echo "$PWD/bin/lockstep"
}

# default_sandbox: "required" where bubblewrap can confine a command here
# (a sandboxed step's inputs are hardlinks to the objects), else "none"
# (they are reflinks or copies).
default_sandbox() {
	if command -v bwrap >/dev/null && bwrap --ro-bind / / --unshare-pid true 2>/dev/null; then
		echo required
	else
		echo none
	fi
}

# now: nanoseconds since the epoch.
now() { date +%s%N; }

# time_ns CMD...: runs CMD with its output discarded and prints how many
# nanoseconds it took; a failing CMD stops the script.
time_ns() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	echo $((t1 - t0))
}

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# secs NS: nanoseconds as seconds, three decimals.
secs() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }'; }

# loadavg: the 1-, 5- and 15-minute load averages.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# drop_caches: flushes dirty pages and, as root, drops the page cache.
# Prints how the page cache was left, for the report.
drop_caches() {
	sync
	if [[ $EUID -eq 0 ]] && echo 1 >/proc/sys/vm/drop_caches 2>/dev/null; then
		echo "dropped"
	else
		echo "not dropped (needs root)"
	fi
}

# result WORK LOCKSTEP PEER RATIO GOAL MET: the summary line, last of all.
result() { printf 'RESULT\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

# quotient A B [DECIMALS]: A / B printed with DECIMALS decimals (default 2).
quotient() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf ("%." d "f"), a / b }'; }

# meets VALUE OP LIMIT: "yes" when VALUE OP LIMIT holds (OP is <=, >= or <),
# else "no": the last column of a RESULT line.
meets() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = (op == "<=") ? v <= l : (op == ">=") ? v >= l : v < l; print (ok ? "yes" : "no") }'
}

# flow_project FILES KIB: in the current folder, writes data/ (FILES files
# of KIB KiB of hex text, 100 a folder) and lockstep.yaml, a one-step flow
# whose step counts the files of its input.
flow_project() {
	python3 - "$1" "$2" <<'PY'
import os, sys
n, kib = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    d = os.path.join("data", "%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(kib * 512).hex().encode())
PY
	cat >lockstep.yaml <<'YAML'
flow: bench
seed: 1
code: {include: ["lockstep.yaml"]}
steps:
  count:
    run: find $LOCKSTEP_INPUT_DATA -type f | wc -l > $LOCKSTEP_OUTPUT_DIR/n.txt
    inputs: {data: data}
    outputs: {n: n.txt}
YAML
}

# show NAME FILE: one line with the median of the nanoseconds in FILE and
# every round, in seconds.
show() {
	printf '  %-36s %s s (rounds: %s)\n' "$1" "$(secs "$(median <"$2")")" "$(awk '{ printf "%.3f ", $1 / 1e9 }' "$2")"
}

# bench_dir NAME: makes a new folder for a script's files and sets
# BENCH_DIR to its path (call it directly, not in $(...)). As root, where
# mkfs.ext4 and a loop device are at hand and BENCH_FS is not "host", the
# folder is the root of a fresh ext4 file system (mkfs defaults, journal
# on) on a sparse image of BENCH_FS_GIB GiB (default 8) in TMPDIR;
# elsewhere it is a folder in TMPDIR. Why: an ext4 without a journal (the
# file system of the machine these figures come from) passes over every
# inode freed in the last vm.dirtytime_expire_seconds (12 hours) when it
# allocates one, so creating 10,000 files there takes 0.4 s or 3 s
# depending on what the disk deleted that day, whichever tool does it.
# BENCH_FS_DESC says which it was, for the report; bench_dir_cleanup
# (set as the EXIT trap) unmounts and deletes what bench_dir made.
bench_dir() {
	local base=${TMPDIR:-/var/tmp}
	BENCH_IMG="" BENCH_MNT=""
	if [[ ${BENCH_FS:-} != host && $EUID -eq 0 ]] && command -v mkfs.ext4 >/dev/null && [[ -e /dev/loop-control ]]; then
		BENCH_IMG=$(mktemp "$base/lockstep-$1.XXXXXX.img")
		BENCH_MNT=$(mktemp -d "$base/lockstep-$1.XXXXXX")
		if truncate -s "${BENCH_FS_GIB:-8}G" "$BENCH_IMG" && mkfs.ext4 -q -F "$BENCH_IMG" &&
			mount -o loop "$BENCH_IMG" "$BENCH_MNT"; then
			BENCH_FS_DESC="a fresh ext4 (journal on) on a loop device"
			BENCH_DIR=$BENCH_MNT
			trap bench_dir_cleanup EXIT
			return
		fi
		rm -f "$BENCH_IMG"
		rmdir "$BENCH_MNT"
		BENCH_IMG="" BENCH_MNT=""
	fi
	BENCH_FS_DESC="$(df --output=fstype "$base" | tail -1) in $base (not root, or BENCH_FS=host: no fresh file system)"
	BENCH_DIR=$(mktemp -d "$base/lockstep-$1.XXXXXX")
	trap bench_dir_cleanup EXIT
}

# bench_dir_cleanup: deletes what bench_dir made.
bench_dir_cleanup() {
	cd /
	chmod -R u+w "$BENCH_DIR" 2>/dev/null
	if [[ -n ${BENCH_MNT:-} ]]; then
		umount "$BENCH_MNT" && rm -f "$BENCH_IMG" && rmdir "$BENCH_MNT"
	else
		rm -rf "$BENCH_DIR"
	fi
}

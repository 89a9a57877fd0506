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

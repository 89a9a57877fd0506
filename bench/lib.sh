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

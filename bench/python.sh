#!/usr/bin/env bash
# Per-step overhead of a flow written in Python against the same flow in
# YAML: STEPS steps (default 20) that each do nothing in Python — in the
# Python flow a method returning no outputs, run as
# `python3 -m lockstep.exec MODULE:CLASS.STEP`; in the YAML flow
# `python3 -c pass`. Both run `-j 1 --no-cache` in the sandbox the machine
# offers, so the difference is what the Python package adds to a step
# (importing it and the flow's module, reading the step contract, storing
# outputs). Goal: within +30 ms per step.
#
# The package is installed into a fresh virtual environment over Debian's
# python3 (pip install --no-build-isolation python/, no network), first on
# PATH for both flows. Per step is the marginal cost: a flow of 2×STEPS
# steps less one of STEPS, so what a run pays once (start-up, reading the
# flow, for Python printing it) is left out. The kinds take turns ROUNDS
# times (default 5) after one untimed run each; medians; page cache warm.
#
# Usage: [ROUNDS=N] [STEPS=N] [LOCKSTEP=bin] bench/python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
STEPS=${STEPS:-20}
lockstep=$(lockstep_bin)
python=/usr/bin/python3
[ -x "$python" ] || { echo "bench/python.sh: $python is missing: apt-get install python3 python3-venv python3-setuptools" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-python.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
"$python" -m venv --system-site-packages "$work/venv"
mkdir "$work/src"
cp -r python/pyproject.toml python/lockstep "$work/src/"
"$work/venv/bin/python" -m pip install --quiet --no-build-isolation --no-index --disable-pip-version-check "$work/src"
export PATH="$work/venv/bin:$PATH"
sandbox=$(default_sandbox)

# flows N: the Python and the YAML flow of N steps, in py-N and yaml-N.
flows() {
	local n=$1
	mkdir "$work/py-$n" "$work/yaml-$n"
	{
		echo "from lockstep import flow, step"
		echo
		echo "@flow(name=\"bench\", sandbox=\"$sandbox\")"
		echo "class Bench:"
		for i in $(seq 1 "$n"); do
			printf '    @step()\n    def s%03d(self):\n        return {}\n\n' "$i"
		done
	} >"$work/py-$n/bench_flow.py"
	{
		echo "flow: bench"
		echo "sandbox: $sandbox"
		echo "steps:"
		for i in $(seq 1 "$n"); do printf '  s%03d: {run: "python3 -c pass"}\n' "$i"; done
	} >"$work/yaml-$n/lockstep.yaml"
	for d in py yaml; do (cd "$work/$d-$n" && "$lockstep" init -q >/dev/null); done
}
flows "$STEPS"
flows $((2 * STEPS))
run_ns() { # KIND N: ns for one run of that flow
	if [ "$1" = py ]; then
		(cd "$work/py-$2" && time_ns "$lockstep" run bench_flow.py -q -j 1 --no-cache)
	else
		(cd "$work/yaml-$2" && time_ns "$lockstep" run -q -j 1 --no-cache)
	fi
}
# marginal KIND: ns per step, what a run costs once (start-up, reading the
# flow: for Python, printing it) left out
marginal() { echo $((($(run_ns "$1" $((2 * STEPS))) - $(run_ns "$1" "$STEPS")) / STEPS)); }
for k in py yaml; do run_ns $k "$STEPS" >/dev/null; run_ns $k $((2 * STEPS)) >/dev/null; done
for r in $(seq "$ROUNDS"); do
	if ((r % 2)); then
		marginal py >>"$work/py.ns"
		marginal yaml >>"$work/yaml.ns"
	else
		marginal yaml >>"$work/yaml.ns"
		marginal py >>"$work/py.ns"
	fi
done
py_ns=$(median <"$work/py.ns")
yaml_ns=$(median <"$work/yaml.ns")
per_step=$((py_ns - yaml_ns))
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }
met=no
[ "$per_step" -le 30000000 ] && met=yes
printf 'per step (a %d-step flow less a %d-step one), every step doing nothing in Python, -j 1 --no-cache, sandbox %s; %d rounds alternating, medians; page cache warm; cores %s; load average %s\n' \
	$((2 * STEPS)) "$STEPS" "$sandbox" "$ROUNDS" "$(nproc)" "$(loadavg)"
printf '  Python step (lockstep.exec)   %s ms (rounds: %s)\n' "$(ms "$py_ns")" "$(tr '\n' ' ' <"$work/py.ns")"
printf '  YAML step (python3 -c pass)   %s ms\n' "$(ms "$yaml_ns")"
printf '  difference %s ms (goal ≤ +30 ms)\n' "$(ms "$per_step")"
result "Python flow, per step over YAML" "$(ms "$py_ns") ms" "$(ms "$yaml_ns") ms (YAML)" "+$(ms "$per_step") ms" "≤ +30 ms" "$met"

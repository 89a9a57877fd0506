#!/usr/bin/env bash
# A model through a local OCI registry: `lockstep push` and `lockstep pull`
# of a SIZE_MIB model folder (default 2 GiB: four random .bin weight files,
# a config.json and a README.md) against `oras push` and `oras pull` of the
# same files, on the same registry (CNCF distribution v3, started here on a
# free loopback port over a temp folder, plain HTTP). Goal: within 1.1× of
# oras while lockstep also checks every digest and signature.
#
# The model is the `kind: model` output of a one-step flow, run once untimed
# with --sign-with (LOCKSTEP_PASSWORD set). What each tool does, timed:
#   push  lockstep push last:train.model oci://HOST/lsN:v1 --sign-with KEY
#         (every file read from the store and checked against its digest,
#         uploaded as a raw layer; the provenance, the model signature and the
#         provenance restated about the manifest, signed now, attached as
#         referrers through the tag schema);
#         oras push --plain-http HOST/orasN:v1 FILES... (from a `lockstep get`
#         copy of the model, model.sig left out: the same layers).
#   pull  lockstep pull oci://HOST/lsN@DIGEST DEST --key PUB (the provenance
#         verified against the layers' tree before any download, each file
#         checked against its layer's digest);
#         oras pull --plain-http HOST/orasN:v1 -o DEST.
# Every round pushes to new repositories (lsN, orasN), so nothing is there
# yet for either tool: every byte is uploaded (the registry's storage keeps
# one copy of a blob across repositories, for both alike). Each pull goes to
# a new DEST, removed after the round. The two pulls' files are compared
# once, untimed, with sha256sum.
#
# The two tools take turns ROUNDS times (default 5, at least 5), lockstep
# first in odd rounds, oras first in even ones; medians.
# Page cache: warm — the model's files are read once before timing and not
# dropped; the registry's blobs were just written.
#
# Usage: [ROUNDS=N] [SIZE_MIB=M] [LOCKSTEP=bin] bench/oci.sh
# Needs the distribution v3 `registry` and `oras` (on PATH or in GOPATH/bin):
#   go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2
#   go install oras.land/oras/cmd/oras@v1.3.6
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SIZE_MIB=${SIZE_MIB:-2048}
[[ $SIZE_MIB -ge 4 ]] || { echo "SIZE_MIB must be at least 4 (got $SIZE_MIB)" >&2; exit 2; }

# tool NAME INSTALL: the path of NAME on PATH or in GOPATH/bin; else fails
# naming INSTALL.
tool() {
	local p
	p=$(command -v "$1" || echo "$(go env GOPATH)/bin/$1")
	[[ -x $p ]] || { echo "$1 not found (PATH, $(go env GOPATH)/bin): install it with: $2" >&2; exit 1; }
	echo "$p"
}
registry=$(tool registry "go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2")
"$registry" --version | grep -q 'distribution/distribution/v3 v3\.' || {
	echo "$registry is not CNCF distribution v3 ($("$registry" --version)): install it with: go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2" >&2
	exit 1
}
oras=$(tool oras "go install oras.land/oras/cmd/oras@v1.3.6")
lockstep=$(lockstep_bin)

work=$(mktemp -d "${TMPDIR:-/var/tmp}/lockstep-oci.XXXXXX")
cleanup() {
	if [[ -n ${reg_pid:-} ]]; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	cd /
	chmod -R u+w "$work" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# The registry: distribution v3 over $work/registry, as internal/evidence/oci/ocitest runs it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host="127.0.0.1:$port"
mkdir -p "$work/registry"
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: "$work/registry"
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: "$host"
  secret: lockstep-bench
YAML
OTEL_TRACES_EXPORTER=none OTEL_SDK_DISABLED=true "$registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 300); do
	curl -fs "http://$host/v2/" >/dev/null && break
	kill -0 "$reg_pid" 2>/dev/null || { echo "registry ended: $(cat "$work/registry.log")" >&2; exit 1; }
	sleep 0.1
done
curl -fs "http://$host/v2/" >/dev/null || { echo "registry at $host does not answer: $(cat "$work/registry.log")" >&2; exit 1; }

# The model: a signed run's `kind: model` output. Each weight file starts
# with a line that is no pickle opcode (the scanner may try any file as a
# pickle stream), then random bytes.
mkdir -p "$work/project" && cd "$work/project"
export LOCKSTEP_PASSWORD=bench
weight_mib=$((SIZE_MIB / 4))
cat >lockstep.yaml <<YAML
flow: oci-bench
seed: 1
code: {include: ["lockstep.yaml"]}
steps:
  train:
    run: |
      m=\$LOCKSTEP_OUTPUT_DIR/model && mkdir -p \$m
      for i in 1 2 3 4; do
        { printf '#lsbench\n'; head -c $((weight_mib << 20)) /dev/urandom; } > \$m/model-0000\$i-of-00004.bin
      done
      printf '{"architectures": ["Bench"], "hidden_size": 4096, "num_hidden_layers": 32}\n' > \$m/config.json
      printf '# oci-bench\n\nRandom weights for a registry benchmark.\n' > \$m/README.md
    outputs: {model: {path: model/, kind: model}}
YAML
"$lockstep" init -q >/dev/null
"$lockstep" key generate builder -q >/dev/null
"$lockstep" run -q --sandbox none --sign-with builder.key >/dev/null
"$lockstep" get last train.model "$work/model" -q >/dev/null
files=()
while IFS= read -r f; do files+=("$f"); done < <(cd "$work/model" && find . -type f ! -name model.sig -printf '%P\n' | sort)
bytes=$(cd "$work/model" && du -cb --apparent-size "${files[@]}" | tail -1 | cut -f1)
find "$work/model" "$work/project/.lockstep" -type f -size +1M -exec cat {} + >/dev/null # warm the page cache for both

n=0
ls_push() { "$lockstep" --json push last:train.model "oci://$host/ls$n:v1" --sign-with builder.key >"$work/push.json"; }
oras_push() { (cd "$work/model" && "$oras" push --plain-http "$host/oras$n:v1" "${files[@]}"); }
ls_pull() { "$lockstep" pull "oci://$host/ls$n@$digest" "$work/pull-ls$n" --key builder.pub; }
oras_pull() { "$oras" pull --plain-http "$host/oras$n:v1" -o "$work/pull-oras$n"; }
# sums DIR: the sha256 of the model's files in DIR, sorted by name.
sums() { (cd "$1" && sha256sum "${files[@]}"); }

load_before=$(loadavg)
for r in $(seq "$ROUNDS"); do
	n=$r
	# Odd rounds lockstep goes first, even rounds oras.
	if ((r % 2)); then time_ns ls_push >>"$work/ls-push.ns"; fi
	time_ns oras_push >>"$work/oras-push.ns"
	if ((r % 2 == 0)); then time_ns ls_push >>"$work/ls-push.ns"; fi
	digest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["manifest"])' "$work/push.json")
	if ((r % 2)); then time_ns ls_pull >>"$work/ls-pull.ns"; fi
	time_ns oras_pull >>"$work/oras-pull.ns"
	if ((r % 2 == 0)); then time_ns ls_pull >>"$work/ls-pull.ns"; fi
	if [[ $r -eq 1 ]]; then # untimed: both pulls gave the model's bytes
		sums "$work/model" >"$work/want.sum"
		for d in "$work/pull-ls$n" "$work/pull-oras$n"; do
			sums "$d" | cmp -s - "$work/want.sum" || { echo "$d does not hold the model's bytes:" >&2; sums "$d" | diff - "$work/want.sum" >&2; exit 1; }
		done
		same="the same bytes from both pulls (sha256sum of ${#files[@]} files, round 1)"
	fi
	chmod -R u+w "$work/pull-ls$n" "$work/pull-oras$n"
	rm -rf "$work/pull-ls$n" "$work/pull-oras$n"
done
load_after=$(loadavg)

printf 'lockstep push/pull against oras %s on a local distribution v3 registry (%s): a %s-byte model, %d files; %d rounds taking turns, medians, each round to new repositories; page cache warm (not dropped); %s cores; load average %s before, %s after\n' \
	"$("$oras" version | awk 'NR == 1 {print $2}')" "$("$registry" --version | awk '{print $NF}')" "$bytes" "${#files[@]}" "$ROUNDS" "$(nproc)" "$load_before" "$load_after"
echo "  $same"
show "lockstep push --sign-with" "$work/ls-push.ns"
show "oras push" "$work/oras-push.ns"
show "lockstep pull --key (verified)" "$work/ls-pull.ns"
show "oras pull" "$work/oras-pull.ns"
mbs() { awk -v b="$bytes" -v n="$1" 'BEGIN { printf "%.0f MB/s", b / (n / 1e9) / 1e6 }'; }
for what in push pull; do
	l=$(median <"$work/ls-$what.ns")
	o=$(median <"$work/oras-$what.ns")
	ratio=$(quotient "$l" "$o")
	printf '  %s: lockstep %s s (%s), oras %s s (%s), lockstep / oras %s (goal ≤ 1.1)\n' "$what" "$(secs "$l")" "$(mbs "$l")" "$(secs "$o")" "$(mbs "$o")" "$ratio"
	echo "$what $(secs "$l") $(secs "$o") $ratio $(meets "$ratio" "<=" 1.1)" >>"$work/results"
done
while read -r what l o ratio met; do
	result "$what a $SIZE_MIB MiB model, OCI registry" "$l s" "$o s (oras $what)" "$ratio× oras" "≤ 1.1× oras" "$met"
done <"$work/results"

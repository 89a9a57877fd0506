#!/usr/bin/env bash
# Policy enforcement timings.
#
# 1. `lockstep verify MODEL --policy` over the full chain (signed provenance,
#    signed dataset BOM, two reviews, a signed reproduction, a model
#    signature), median of RUNS whole process runs, beside cosign checking
#    the provenance alone (one of those attestations). Target: under 200 ms.
# 2. The admission webhook answering rounds of 100 concurrent
#    AdmissionReviews over HTTPS on loopback (BenchmarkAdmission). The first
#    round opens the connections and fills the verdict cache; its p99 is
#    printed apart as cold-p99-ms. Target: p99 under 300 ms, cold or not.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
root=$PWD
make -s build
lockstep="$root/bin/lockstep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export LOCKSTEP_PASSWORD=bench NO_COLOR=1
mkdir data
printf 'text,label\nhello,1\nbye,0\n' > data/corpus.csv
cat >lockstep.yaml <<'YAML'
flow: policy-bench
seed: 1
steps:
  train:
    run: mkdir $LOCKSTEP_OUTPUT_DIR/model && cat $LOCKSTEP_INPUT_DATA/corpus.csv > $LOCKSTEP_OUTPUT_DIR/model/weights.txt
    inputs:
      data: {dataset: corpus@1}
    outputs:
      model: {path: model/, kind: model}
YAML
cat >policy.yaml <<'YAML'
apiVersion: lockstep.dev/v1
kind: Policy
authorities:
  builders: [keys/platform.pub]
  data-producers: [keys/data-team.pub]
  reviewers: [keys/alice.pub, keys/bob.pub]
  rebuilders: [keys/rebuilder.pub]
require:
  provenance: {signedBy: builders, maxAge: 90d}
  sandbox: hermetic
  datasets: {bom: true, signedBy: data-producers, licenses: [CC-BY-4.0]}
  code: {reviewedBy: reviewers, minReviewers: 2}
  formats: {pickle: deny}
  reproduced: {by: rebuilders}
  modelSignature: {signedBy: builders}
YAML
"$lockstep" init -q >/dev/null
for k in platform data-team alice bob rebuilder; do "$lockstep" key generate "$k" --out keys -q >/dev/null; done
"$lockstep" data add corpus@1 data --license CC-BY-4.0 --sign-with keys/data-team.key -q >/dev/null
"$lockstep" run -q --sign-with keys/platform.key >/dev/null
"$lockstep" review approve last --key keys/alice.key -q >/dev/null
"$lockstep" review approve last --key keys/bob.key -q >/dev/null
"$lockstep" export last export -q >/dev/null
"$lockstep" reproduce last --sign-with keys/rebuilder.key -q >/dev/null
model=$("$lockstep" verify export/artifacts/train/model --policy policy.yaml --json | sed -n 's/^  "subject": "\(.*\)",$/\1/p')

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    echo $(( (t1 - t0) / 1000000 ))
  done | median
}
"$lockstep" verify "$model" --policy policy.yaml >/dev/null
v=$(timeit "$lockstep" verify "$model" --policy policy.yaml)
printf '%-58s %6s ms\n' "lockstep verify --policy (full chain, median)" "$v"
cosign_verify() {
  cosign verify-blob-attestation --key keys/platform.pub --bundle export/provenance.sigstore.json \
    --type https://slsa.dev/provenance/v1 --insecure-ignore-tlog=true --trusted-root export/trusted_root.json \
    --digest "${model#sha256:}" --digestAlg sha256
}
if command -v cosign >/dev/null && cosign_verify >/dev/null 2>&1; then
  c=$(timeit cosign_verify)
  printf '%-58s %6s ms\n' "cosign verify-blob-attestation (provenance only, median)" "$c"
  awk -v v="$v" -v c="$c" 'BEGIN {printf "lockstep full chain / cosign one attestation: %.2fx\n", v / c}'
fi
cd "$root"
go test -run '^$' -bench 'BenchmarkVerifyPolicy|BenchmarkAdmission' -benchtime 20x ./internal/cli | grep -E '^Benchmark'
echo "targets: BenchmarkVerifyPolicy under 200 ms/op; BenchmarkAdmission p99-ms under 300"
echo "target: verify --policy under 200 ms"
peer="-"; ratio="-"
if [ -n "${c:-}" ]; then peer="$c ms (cosign, provenance only)"; ratio=$(awk -v v="$v" -v c="$c" 'BEGIN {printf "%.2fx", v / c}'); fi
met=no; [ "$v" -lt 200 ] && met=yes
printf 'RESULT\t%s\t%s ms\t%s\t%s\t< 200 ms\t%s\n' "verify --policy, full evidence chain" "$v" "$peer" "$ratio" "$met"


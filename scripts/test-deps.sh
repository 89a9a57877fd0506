#!/usr/bin/env bash
# Install what the tests use, when it is missing: Debian packages (the
# bubblewrap sandbox, git, Debian's Python with numpy, scikit-learn,
# PyTorch, pandas, joblib and onnx, PostgreSQL 15 for the catalog and lock
# tests, Slurm and munge, etcd, python3-cryptography, -certifi, -jwt, -yaml and
# pip and venv for the dependency audit's and SBOM's tests, pytest and
# setuptools for the Python package's tests, rpm and
# rpmbuild to build and install an rpm package whose files are verified,
# docker-registry, distribution 2.8, a real OCI registry without the
# referrers API), cosign, osv-scanner, syft, versitygw (a real S3 server for the
# S3 store's tests), registry (CNCF distribution v3, a real OCI registry),
# oras (an independent OCI client) and kube-apiserver, built from their Go
# modules; as root, it starts a one-node Slurm cluster (slurm-up.sh).
# As root with apt-get it installs them; otherwise it says what is missing
# and the tests that need it skip or fail with that message.
set -euo pipefail
packages=(bubblewrap git make ca-certificates bzip2 python3 python3-numpy python3-sklearn
  python3-joblib python3-torch python3-pandas python3-onnx postgresql-15 slurm-wlm munge etcd-server
  python3-pip python3-venv python3-pytest python3-setuptools python3-nbclient python3-ipykernel python3-cryptography python3-certifi python3-jwt python3-yaml rpm
  docker-registry)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi
gobin="$(go env GOPATH)/bin"
if ! command -v cosign >/dev/null 2>&1 && [ ! -x "$gobin/cosign" ]; then
  echo "building cosign (github.com/sigstore/cosign/v2 v2.6.5; a few minutes, once)"
  go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5
fi
if ! command -v versitygw >/dev/null 2>&1 && [ ! -x "$gobin/versitygw" ]; then
  echo "building versitygw (github.com/versity/versitygw v1.8.0; a few minutes, once)"
  go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi
if ! command -v registry >/dev/null 2>&1 && [ ! -x "$gobin/registry" ]; then
  echo "building registry (github.com/distribution/distribution/v3 v3.1.2; a few minutes, once)"
  go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2
fi
if ! command -v oras >/dev/null 2>&1 && [ ! -x "$gobin/oras" ]; then
  echo "building oras (oras.land/oras v1.3.6; a minute, once)"
  go install oras.land/oras/cmd/oras@v1.3.6
fi
if ! command -v osv-scanner >/dev/null 2>&1 && [ ! -x "$gobin/osv-scanner" ]; then
  echo "building osv-scanner (github.com/google/osv-scanner v1.9.2; a few minutes, once)"
  go install github.com/google/osv-scanner/cmd/osv-scanner@v1.9.2 || echo "osv-scanner did not build; the comparison with it will skip" >&2
fi
if ! command -v syft >/dev/null 2>&1 && [ ! -x "$gobin/syft" ]; then
  echo "building syft (github.com/anchore/syft v1.57.2; a few minutes, once)"
  go install github.com/anchore/syft/cmd/syft@v1.57.2 || echo "syft did not build; the SBOM comparison with it will skip" >&2
fi
"$(dirname "$0")/kube-apiserver.sh" || echo "kube-apiserver did not build; the Kubernetes backend's API-server tests will skip" >&2
if [ "$(id -u)" = 0 ] && command -v slurmctld >/dev/null 2>&1; then
  "$(dirname "$0")/slurm-up.sh" || echo "slurm did not start; the Slurm backend's tests will skip" >&2
fi

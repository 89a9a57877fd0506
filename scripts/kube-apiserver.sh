#!/usr/bin/env bash
# Build kube-apiserver from the k8s.io/kubernetes module (the version pinned
# in scripts/kube-apiserver/go.mod) into GOPATH/bin, for the Kubernetes
# backend's tests, which start it with etcd (Debian etcd-server). Skipped
# when that version is already there. Takes several minutes, once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$here/kube-apiserver/go.mod")
bin="$(go env GOPATH)/bin/kube-apiserver"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -qx "Kubernetes $version"; then
  exit 0
fi
echo "building kube-apiserver $version (k8s.io/kubernetes; several minutes, once)"
cd "$here/kube-apiserver"
go build -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version" \
  -o "$bin" k8s.io/kubernetes/cmd/kube-apiserver

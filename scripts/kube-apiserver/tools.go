//go:build tools

// Package tools pins kube-apiserver, built from the k8s.io/kubernetes
// module for the Kubernetes backend's tests (scripts/kube-apiserver.sh).
// Its own module, so that lockstep's go.mod carries none of it.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"

// Package server serves lockstep over HTTP: the Kubernetes admission
// webhook that refuses workloads whose models fail the policy.
//
// The webhook answers admission.k8s.io/v1 AdmissionReview requests for
// Pods and for the pod templates of Deployments, ReplicaSets, StatefulSets,
// DaemonSets, Jobs and CronJobs. A container names its model by digest with
// the annotation lockstep.dev/model.CONTAINER (or lockstep.dev/model for
// every container) on the pod template, or with the environment variable
// LOCKSTEP_MODEL_DIGEST. Each named model is evaluated with policy.Evaluate
// against the configured store and catalog; any failure denies the request
// with a message naming the container, the digest and the failed checks.
//
// A model may instead be named by OCI reference
// (oci://REGISTRY/REPOSITORY@sha256:..., the scheme optional when the
// first component is a registry host). It is resolved through the
// registry with the Docker config's credentials and judged on the tree its
// layers make up, the provenance attached there counting beside the
// home's. A tag without a digest is denied unless the policy allows tags;
// a registry that cannot be read denies (fail closed).
package server

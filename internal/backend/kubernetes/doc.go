// Package kubernetes runs tasks as Kubernetes Jobs. Each task becomes one
// batch/v1 Job, created with client-go, whose single pod runs
// `lockstep task exec --store URL --catalog URL SPEC` in the lockstep
// executor image, so the pod needs only that image and a way to reach the
// store and catalog (S3 and PostgreSQL, or a shared volume holding a
// file:// store). The pod is hardened: no service account token, non-root,
// read-only root filesystem (the work folder and /tmp are emptyDirs), every
// capability dropped, no privilege escalation, seccomp RuntimeDefault. A
// step without network gets a NetworkPolicy, made before its Job, that
// denies all ingress and all egress but to the configured CIDRs (the
// store's and catalog's). The step's resources become requests and limits
// (GPUs as nvidia.com/gpu), its time limit the Job's activeDeadlineSeconds
// plus a margin so that the executor's own limit fires first; the Job is
// never retried (backoffLimit 0: the engine decides retries) and is
// collected after its TTL. The pod's log is followed through the API
// server; the executor's report, the last line of its stdout, names the
// task record. Cancelling the run deletes the Job with foreground
// propagation, which deletes its pod first.
package kubernetes

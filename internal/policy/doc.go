// Package policy reads a lockstep policy file and evaluates it against the
// evidence an artifact carries.
//
// A policy (YAML, apiVersion lockstep.dev/v1, kind Policy) names the keys
// trusted for each role (builders, data producers, reviewers, rebuilders)
// and what a production artifact must show: signed provenance no older than
// a limit, tasks that ran sandboxed without network, datasets with signed
// bills of materials and allowed licenses, reviewed code, no pickles, an
// independent bit-identical rebuild and a model signature. Optional Rego
// files add rules of their own over the same evidence document.
//
// Evaluate walks the chain from an artifact's digest: provenance → run and
// tasks → datasets → code reviews → reproductions → model signature, and
// returns a tree of checks, each passed or failed with its reason and the
// digest of the evidence it looked at. `lockstep verify --policy` and the
// admission webhook both call it.
package policy

// Package review approves code for restricted data: a reviewer signs an
// in-toto statement (predicate https://lockstep.dev/review/v1) whose
// subject is the digest of a code tree, and a run whose code tree carries
// such a review by a trusted reviewer may read restricted datasets.
//
// Approve signs, stores and indexes a review; Reviewed finds a valid one
// by trusted keys; Check is that test as dataset.Resolve consumes it.
// CommitTree makes the code tree of a git commit, exactly as a run of a
// clean checkout would snapshot it, so code can be approved before it
// runs.
package review

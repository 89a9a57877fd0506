package task

import "lockstep.dev/lockstep/internal/core"

// Spec is core.TaskSpec under the name its readers outside this package
// (provenance and the bill of materials) still use.
type Spec = core.TaskSpec

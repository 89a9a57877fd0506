package engine

import (
	"sort"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// PlanKeyType is the "type" of a plan key document.
const PlanKeyType = "lockstep.plankey/v1"

// planKey names everything the submitter knows that determines a task's
// outputs: the command, the code it can see, its inputs (by digest, not
// by where they came from), params, seed, sandbox mode and network, the
// variables it may see, its environment paths, formats, the archive it
// restores, the outputs it declares and its foreach item. The executor adds the digest of
// the environment it runs in to make the final key (task.FinalKey); two
// tasks with the same final key are interchangeable. The document is
// stored, so `lockstep cat KEY` shows what went into it.
func planKey(st *store.Store, s *core.TaskSpec) (core.Digest, error) {
	inputs := make(map[string]core.Digest, len(s.Inputs))
	for name, a := range s.Inputs {
		inputs[name] = a.Digest
	}
	envNames := append([]string(nil), s.Env...)
	sort.Strings(envNames)
	doc := map[string]any{
		"type":    PlanKeyType,
		"command": s.Command,
		"code":    s.Code,
		"inputs":  inputs,
		"outputs": s.Outputs,
		"params":  s.Params,
		"seed":    s.Seed,
		"sandbox": s.Sandbox,
		"network": s.Network,
		"env":     envNames,
		"paths":   s.Paths,
		"formats": s.Formats,
		"restore": s.Restore,
	}
	if s.Item != nil { // absent for other steps, so their keys stay as they were
		doc["item"] = s.Item
	}
	return st.PutJSON(doc)
}

package engine

import (
	"sort"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// cacheKey names everything that determines a task's outputs: the command,
// the code it can see, its inputs, params, seed, environment, sandbox mode and
// network, and the outputs it declares. Two tasks with the same key are
// interchangeable. The key document is stored, so the key is an object like
// every other digest a record names, and `lockstep cat KEY` shows what went
// into it.
func cacheKey(st *store.Store, s *core.TaskSpec, env core.Digest) (core.Digest, error) {
	inputs := make(map[string]core.Digest, len(s.Inputs))
	for name, a := range s.Inputs {
		inputs[name] = a.Digest
	}
	envNames := append([]string(nil), s.Env...)
	sort.Strings(envNames)
	return st.PutJSON(map[string]any{
		"type":        "lockstep.cachekey/v1",
		"command":     s.Command,
		"code":        s.Code,
		"inputs":      inputs,
		"outputs":     s.Outputs,
		"params":      s.Params,
		"seed":        s.Seed,
		"environment": env,
		"sandbox":     s.Sandbox,
		"network":     s.Network,
		"env":         envNames,
		"paths":       s.Paths,
		"formats":     s.Formats,
		"restore":     s.Restore,
	})
}

package query

import (
	"context"
	"encoding/json"
	"fmt"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Environment is one captured environment and the steps that ran in it.
type Environment struct {
	Digest core.Digest
	// Steps ran in it, in the order they started.
	Steps []string
	// Raw is the stored environment record.
	Raw json.RawMessage
	Env *capture.Environment
}

// Environments reads the environments the steps of run ref ran in (or of
// step alone, when not ""), each once, in the order their first step
// started. Steps without a recorded environment are left out.
func Environments(ctx context.Context, st *store.Store, cat catalog.Catalog, ref, step string) ([]Environment, error) {
	run, steps, err := loadSteps(ctx, st, cat, ref, step)
	if err != nil {
		return nil, err
	}
	var out []Environment
	index := map[core.Digest]int{}
	for _, s := range steps {
		d := run.Tasks[s].Environment
		if d == "" {
			continue
		}
		if i, seen := index[d]; seen {
			out[i].Steps = append(out[i].Steps, s)
			continue
		}
		raw, env, err := ReadEnvironment(st, d)
		if err != nil {
			return nil, err
		}
		index[d] = len(out)
		out = append(out, Environment{Digest: d, Steps: []string{s}, Raw: raw, Env: env})
	}
	return out, nil
}

// ReadEnvironment reads the stored environment record d, as stored and
// decoded.
func ReadEnvironment(st *store.Store, d core.Digest) (json.RawMessage, *capture.Environment, error) {
	b, err := st.ReadBytes(d)
	if err != nil {
		return nil, nil, fmt.Errorf("read environment %s: %w", d, err)
	}
	env := new(capture.Environment)
	if err := json.Unmarshal(b, env); err != nil {
		return nil, nil, fmt.Errorf("read environment %s: %w", d, err)
	}
	return b, env, nil
}

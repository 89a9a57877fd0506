package query

import (
	"context"
	"encoding/json"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom/osv"
	"lockstep.dev/lockstep/internal/store"
)

// Showing is a run with what `lockstep show` displays of it; its JSON is
// `lockstep show --json`.
type Showing struct {
	Run   *core.RunRecord             `json:"run"`
	Tasks map[string]*core.TaskRecord `json:"tasks"`
	// Environments holds the environment records the tasks name, as
	// stored; one that cannot be read is left out.
	Environments map[core.Digest]json.RawMessage `json:"environments"`
	// DependencyAudit is the run's newest dependency audit (lockstep
	// audit-deps), stored as AuditDigest; nil when it was never audited.
	DependencyAudit *osv.Report `json:"dependency_audit,omitempty"`
	AuditDigest     core.Digest `json:"dependency_audit_digest,omitempty"`

	envs map[core.Digest]*capture.Environment
	run  *Run
}

// Show reads run ref with its tasks and their environments.
func Show(ctx context.Context, st *store.Store, cat catalog.Catalog, ref string) (*Showing, error) {
	run, err := LoadRun(ctx, st, cat, ref)
	if err != nil {
		return nil, err
	}
	s := &Showing{Run: run.Record, Tasks: run.Tasks, Environments: map[core.Digest]json.RawMessage{},
		envs: map[core.Digest]*capture.Environment{}, run: run}
	for _, t := range run.Tasks {
		if _, done := s.Environments[t.Environment]; done || t.Environment == "" {
			continue
		}
		if raw, env, err := ReadEnvironment(st, t.Environment); err == nil {
			s.Environments[t.Environment], s.envs[t.Environment] = raw, env
		}
	}
	if s.DependencyAudit, s.AuditDigest, err = osv.Latest(ctx, st, cat, run.Record.ID); err != nil {
		return nil, err
	}
	return s, nil
}

// Steps returns the run's steps in the order they started.
func (s *Showing) Steps() []string { return s.run.Steps() }

// Environment returns the decoded environment d, or nil when it was not
// read.
func (s *Showing) Environment(d core.Digest) *capture.Environment { return s.envs[d] }

// AuditOf returns the findings of the newest dependency audit for step,
// and whether the run was audited at all.
func (s *Showing) AuditOf(step string) ([]osv.Finding, bool) {
	if s.DependencyAudit == nil {
		return nil, false
	}
	for _, st := range s.DependencyAudit.Steps {
		if st.Step == step {
			return st.Findings, true
		}
	}
	return nil, true
}

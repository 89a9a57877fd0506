package provenance

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// Build collects the SLSA provenance of run rec, whose task records are
// tasks: what it made (every output, named STEP/OUTPUT), what it used (its
// code, external inputs and environments), and what it produced on the
// side (task records and logs). The builder id is left for the signer.
func Build(rec *core.RunRecord, tasks map[string]*core.TaskRecord) attest.Provenance {
	p := attest.Provenance{
		External: map[string]any{
			"flow":   map[string]any{"path": rec.FlowPath, "digest": rec.FlowFile.String()},
			"params": rec.Params, "seed": rec.Seed,
		},
		Internal:     map[string]any{"lockstepVersion": rec.Version, "sandbox": rec.Sandbox, "formats": formatsOf(tasks)},
		InvocationID: rec.ID, Started: rec.Started, Finished: rec.Finished,
	}
	if len(rec.Steps) > 0 {
		p.External["steps"] = rec.Steps
	}
	code := attest.ResourceDescriptor{Name: "code", Digest: rec.Code}
	if g := rec.Git; g != nil && g.Commit != "" {
		code.Annotations = map[string]any{"gitCommit": g.Commit, "gitBranch": g.Branch, "gitDirty": g.Dirty}
		if g.Remote != "" {
			code.URI = "git+" + g.Remote + "@" + g.Commit
		}
	}
	p.Dependencies = append(p.Dependencies, code)
	seen := map[string]bool{}
	for _, step := range sortedKeys(tasks) {
		t := tasks[step]
		for _, name := range sortedKeys(t.Outputs) {
			p.Subjects = append(p.Subjects, attest.Subject{Name: step + "/" + name, Digest: t.Outputs[name].Digest})
		}
		for _, name := range sortedKeys(t.Inputs) {
			a := t.Inputs[name]
			if strings.HasPrefix(a.Source, "step:") || seen[a.Source+a.Digest.String()] {
				continue // another step's output is not an external dependency
			}
			seen[a.Source+a.Digest.String()] = true
			ann := map[string]any{"kind": a.Kind}
			if a.BOM != "" {
				ann["bom"] = a.BOM.String()
			}
			p.Dependencies = append(p.Dependencies, attest.ResourceDescriptor{Name: a.Source, Digest: a.Digest, Annotations: ann})
		}
		if t.Environment != "" && !seen[t.Environment.String()] {
			seen[t.Environment.String()] = true
			p.Dependencies = append(p.Dependencies, attest.ResourceDescriptor{Name: "environment", Digest: t.Environment,
				Annotations: map[string]any{"steps": stepsWithEnv(tasks, t.Environment)}})
		}
		task := attest.ResourceDescriptor{Name: "task/" + step, Digest: rec.Tasks[step]}
		if len(t.Placement) > 0 {
			task.Annotations = map[string]any{"placement": t.Placement}
		}
		p.Byproducts = append(p.Byproducts, task)
		for _, log := range []struct {
			name string
			d    core.Digest
		}{{"stdout", t.Stdout}, {"stderr", t.Stderr}} {
			if log.d != "" {
				p.Byproducts = append(p.Byproducts, attest.ResourceDescriptor{Name: "log/" + step + "/" + log.name, Digest: log.d})
			}
		}
	}
	return p
}

func stepsWithEnv(tasks map[string]*core.TaskRecord, env core.Digest) []string {
	var steps []string
	for _, s := range sortedKeys(tasks) {
		if tasks[s].Environment == env {
			steps = append(steps, s)
		}
	}
	return steps
}

// DefaultBuilderID names a machine (host) and a key (by fingerprint) as
// the builder of a run.
func DefaultBuilderID(host, fingerprint string) string {
	q := url.Values{"host": {host}, "key": {fingerprint}}
	return "https://lockstep.dev/builders/local?" + q.Encode()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// formatsOf records the serialisation policy the run's tasks ran under, so
// that a run which allowed pickles says so in its provenance: the most
// lenient policy that let a file in, and each such file with the warning
// the scanner gave.
func formatsOf(tasks map[string]*core.TaskRecord) map[string]any {
	out := map[string]any{"pickle": "deny"}
	var files, warnings []string
	for _, step := range sortedKeys(tasks) {
		for _, f := range tasks[step].Files {
			if f.Verdict != "allowed" {
				continue
			}
			policy := f.Policy
			if policy == "" {
				policy = "allow" // recorded before allow-safe existed
			}
			if out["pickle"] != "allow" {
				out["pickle"] = policy
			}
			name := strings.TrimSuffix(f.Artifact+"/"+f.Path, "/")
			files = append(files, name)
			for _, w := range f.Findings {
				warnings = append(warnings, step+": "+name+": "+w)
			}
		}
	}
	if len(files) > 0 {
		out["allowedFiles"] = files
	}
	if len(warnings) > 0 {
		out["warnings"] = warnings
	}
	return out
}

package engine

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/task"
)

// Signing is what a run needs to sign its provenance.
type Signing struct {
	Signer core.Signer
	// BuilderID overrides the default builder id (derived from host and key).
	BuilderID string
}

// Signed says what a run's signing produced.
type Signed struct {
	// Provenance is the digest of the SLSA provenance bundle.
	Provenance core.Digest `json:"provenance"`
	// Models maps STEP/OUTPUT to the digest of its model-signing bundle.
	Models map[string]core.Digest `json:"models,omitempty"`
	// Key is the signing key's fingerprint.
	Key string `json:"key"`
}

// weightExtensions mark an output directory as a model even when the flow
// does not say `kind: model`.
var weightExtensions = []string{".safetensors", ".pt", ".pth", ".bin", ".onnx", ".h5", ".keras", ".npz", ".gguf", ".ckpt", ".msgpack", ".tflite"}

// Attest signs a finished run: SLSA provenance v1 over every output, and an
// OpenSSF model signature for every model directory. Bundles are stored and
// indexed by subject digest so verify finds them from an artifact's bytes.
func (h *Home) Attest(ctx context.Context, rec *core.RunRecord, sig Signing) (*Signed, error) {
	pub, err := attest.PublicKeyOf(sig.Signer)
	if err != nil {
		return nil, err
	}
	tasks, err := h.taskRecords(rec)
	if err != nil {
		return nil, err
	}
	prov := h.provenance(rec, tasks)
	prov.BuilderID = sig.BuilderID
	if prov.BuilderID == "" {
		prov.BuilderID = defaultBuilderID(rec.Host, pub.Fingerprint())
	}
	fp := pub.Fingerprint()
	out := &Signed{Key: fp, Models: map[string]core.Digest{}}
	if len(prov.Subjects) > 0 {
		stmt, err := prov.Statement()
		if err != nil {
			return nil, err
		}
		if out.Provenance, err = h.storeBundle(ctx, stmt, sig.Signer, fp, rec.ID); err != nil {
			return nil, err
		}
	}
	for _, m := range h.models(tasks) {
		d, err := h.signModel(ctx, m, sig.Signer, fp, rec.ID)
		if err != nil {
			return out, fmt.Errorf("sign model %s: %w", m.name, err)
		}
		out.Models[m.name] = d
	}
	return out, nil
}

// taskRecords loads the records a run names, by step.
func (h *Home) taskRecords(rec *core.RunRecord) (map[string]*core.TaskRecord, error) {
	tasks := map[string]*core.TaskRecord{}
	for step, d := range rec.Tasks {
		t := new(core.TaskRecord)
		if err := h.Store.GetJSON(d, t); err != nil {
			return nil, fmt.Errorf("read task record %s: %w", step, err)
		}
		tasks[step] = t
	}
	return tasks, nil
}

// provenance collects what the run made, used and produced on the side.
func (h *Home) provenance(rec *core.RunRecord, tasks map[string]*core.TaskRecord) attest.Provenance {
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
	for _, step := range sortedTaskNames(tasks) {
		t := tasks[step]
		for _, name := range sortedArtifactNames(t.Outputs) {
			p.Subjects = append(p.Subjects, attest.Subject{Name: step + "/" + name, Digest: t.Outputs[name].Digest})
		}
		for _, name := range sortedArtifactNames(t.Inputs) {
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
		p.Byproducts = append(p.Byproducts, attest.ResourceDescriptor{Name: "task/" + step, Digest: rec.Tasks[step]})
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
	for _, s := range sortedTaskNames(tasks) {
		if tasks[s].Environment == env {
			steps = append(steps, s)
		}
	}
	return steps
}

// storeBundle signs a statement, stores the bundle and indexes it under
// every subject.
func (h *Home) storeBundle(ctx context.Context, stmt *attest.Statement, signer core.Signer, fingerprint, run string) (core.Digest, error) {
	b, err := attest.Sign(ctx, stmt, signer)
	if err != nil {
		return "", err
	}
	d, err := h.Store.PutBytes(b)
	if err != nil {
		return "", fmt.Errorf("store bundle: %w", err)
	}
	now := time.Now().UTC()
	for _, s := range stmt.Subject {
		if err := h.Catalog.PutAttestation(ctx, catalog.AttestationRow{Bundle: d, Subject: s.Digest, SubjectName: s.Name,
			PredicateType: stmt.PredicateType, Run: run, Signer: fingerprint, Created: now}); err != nil {
			return "", err
		}
	}
	return d, nil
}

// modelOutput is a directory output that holds a model.
type modelOutput struct {
	name string // STEP/OUTPUT
	tree core.Digest
}

// models finds the model directories among a run's outputs: declared
// `kind: model`, or holding weights files.
func (h *Home) models(tasks map[string]*core.TaskRecord) []modelOutput {
	var out []modelOutput
	for _, step := range sortedTaskNames(tasks) {
		t := tasks[step]
		declared := map[string]bool{}
		var spec task.Spec
		if t.Spec != "" && h.Store.GetJSON(t.Spec, &spec) == nil {
			for _, o := range spec.Outputs {
				declared[o.Name] = o.Kind == "model"
			}
		}
		for _, name := range sortedArtifactNames(t.Outputs) {
			a := t.Outputs[name]
			if a.Kind != core.KindTree {
				continue
			}
			if declared[name] || h.holdsWeights(a.Digest) {
				out = append(out, modelOutput{name: step + "/" + name, tree: a.Digest})
			}
		}
	}
	return out
}

func (h *Home) holdsWeights(tree core.Digest) bool {
	t, err := h.Store.GetTree(tree)
	if err != nil {
		return false
	}
	for _, e := range t.Entries {
		ext := strings.ToLower(path.Ext(e.Path))
		for _, w := range weightExtensions {
			if ext == w {
				return true
			}
		}
	}
	return false
}

// modelShardThreshold: a model with a file larger than this is signed with
// the "shards" method, in shards of this size, hashed in parallel.
const modelShardThreshold = 1 << 30

// signModel materialises a model tree and signs it with the OpenSSF
// model-signing format; the bundle is indexed under the tree's digest.
func (h *Home) signModel(ctx context.Context, m modelOutput, signer core.Signer, fingerprint, run string) (core.Digest, error) {
	tmp, err := os.MkdirTemp(h.TempDir(), "model-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, path.Base(m.name))
	if err := h.Store.Materialize(ctx, m.tree, dir, store.MaterializeOptions{}); err != nil {
		return "", err
	}
	opts := attest.ModelOptions{}
	if t, err := h.Store.GetTree(m.tree); err == nil {
		for _, e := range t.Entries {
			if e.Size > modelShardThreshold {
				opts.ShardSize = modelShardThreshold
			}
		}
	}
	b, err := attest.SignModel(ctx, dir, signer, opts)
	if err != nil {
		return "", err
	}
	d, err := h.Store.PutBytes(b)
	if err != nil {
		return "", err
	}
	err = h.Catalog.PutAttestation(ctx, catalog.AttestationRow{Bundle: d, Subject: m.tree, SubjectName: m.name,
		PredicateType: attest.ModelPredicateType, Run: run, Signer: fingerprint, Created: time.Now().UTC()})
	return d, err
}

// defaultBuilderID names this machine and key as the builder.
func defaultBuilderID(host, fingerprint string) string {
	q := url.Values{"host": {host}, "key": {fingerprint}}
	return "https://lockstep.dev/builders/local?" + q.Encode()
}

func sortedTaskNames(tasks map[string]*core.TaskRecord) []string {
	names := make([]string, 0, len(tasks))
	for n := range tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sortedArtifactNames(m map[string]core.Artifact) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// formatsOf records the serialisation policy the run's tasks ran under, so
// that a run which allowed pickles says so in its provenance.
func formatsOf(tasks map[string]*core.TaskRecord) map[string]any {
	out := map[string]any{"pickle": "deny"}
	for _, t := range tasks {
		for _, f := range t.Files {
			if f.Verdict == "allowed" {
				out["pickle"] = "allow"
				out["allowedFiles"] = append(asStrings(out["allowedFiles"]), f.Artifact+"/"+f.Path)
			}
		}
	}
	return out
}

func asStrings(v any) []string {
	s, _ := v.([]string)
	return s
}

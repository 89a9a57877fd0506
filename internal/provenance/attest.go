package provenance

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/store"
)

// Options say how to sign a run.
type Options struct {
	Signer core.Signer
	// BuilderID overrides the default builder id (derived from host and key).
	BuilderID string
	// TempDir is where model directories are laid out to be signed ("" is
	// the system's).
	TempDir string
}

// Signed says what a run's signing produced.
type Signed struct {
	// Provenance is the digest of the SLSA provenance bundle.
	Provenance core.Digest `json:"provenance"`
	// Models maps STEP/OUTPUT to the digest of its model-signing bundle.
	Models map[string]core.Digest `json:"models,omitempty"`
	// SBOMs maps the digest of each environment the run's steps ran in to
	// the digest of the bundle signing its CycloneDX SBOM.
	SBOMs map[core.Digest]core.Digest `json:"sboms,omitempty"`
	// Key is the signing key's fingerprint.
	Key string `json:"key"`
}

// Attest signs a finished run: the CycloneDX SBOM of every environment its
// steps ran in (SignSBOM), SLSA provenance v1 over every output naming
// those SBOMs among its byproducts, and an OpenSSF model signature for
// every model directory. Bundles are stored and indexed by subject digest
// so verify finds them from an artifact's bytes.
func Attest(ctx context.Context, st *store.Store, cat catalog.Catalog, rec *core.RunRecord, opts Options) (*Signed, error) {
	pub, err := attest.PublicKeyOf(opts.Signer)
	if err != nil {
		return nil, err
	}
	tasks, err := taskRecords(st, rec)
	if err != nil {
		return nil, err
	}
	prov := Build(rec, tasks)
	prov.BuilderID = opts.BuilderID
	if prov.BuilderID == "" {
		prov.BuilderID = DefaultBuilderID(rec.Host, pub.Fingerprint())
	}
	out := &Signed{Key: pub.Fingerprint(), Models: map[string]core.Digest{}, SBOMs: map[core.Digest]core.Digest{}}
	sboms, err := SBOMs(st, tasks)
	if err != nil {
		return nil, err
	}
	for _, s := range sboms {
		if out.SBOMs[s.Environment], err = SignSBOM(ctx, st, cat, s.Document, opts.Signer, rec.ID); err != nil {
			return nil, err
		}
	}
	prov.Byproducts = append(prov.Byproducts, sbomByproducts(sboms)...)
	if len(prov.Subjects) > 0 {
		stmt, err := prov.Statement()
		if err != nil {
			return nil, err
		}
		if out.Provenance, err = StoreBundle(ctx, st, cat, stmt, opts.Signer, rec.ID); err != nil {
			return nil, err
		}
	}
	models, err := modelsOf(st, tasks, sboms)
	if err != nil {
		return out, err
	}
	for _, m := range models {
		d, err := signModel(ctx, st, cat, m, opts, out.Key, rec.ID)
		if err != nil {
			return out, fmt.Errorf("sign model %s: %w", m.Name, err)
		}
		out.Models[m.Name] = d
	}
	return out, nil
}

// taskRecords loads the records a run names, by step.
func taskRecords(st *store.Store, rec *core.RunRecord) (map[string]*core.TaskRecord, error) {
	tasks := map[string]*core.TaskRecord{}
	for step, d := range rec.Tasks {
		t := new(core.TaskRecord)
		if err := st.GetJSON(d, t); err != nil {
			return nil, fmt.Errorf("read task record %s: %w", step, err)
		}
		tasks[step] = t
	}
	return tasks, nil
}

// StoreBundle signs stmt with signer, stores the bundle and indexes it
// under every subject, as belonging to run (may be "") and signed by the
// signer's key, created now. It returns the bundle's digest.
func StoreBundle(ctx context.Context, st *store.Store, cat catalog.Catalog, stmt *attest.Statement, signer core.Signer, run string) (core.Digest, error) {
	pub, err := attest.PublicKeyOf(signer)
	if err != nil {
		return "", err
	}
	b, err := attest.Sign(ctx, stmt, signer)
	if err != nil {
		return "", err
	}
	d, err := st.PutBytes(b)
	if err != nil {
		return "", fmt.Errorf("store bundle: %w", err)
	}
	now := time.Now().UTC()
	for _, s := range stmt.Subject {
		if err := cat.PutAttestation(ctx, catalog.AttestationRow{Bundle: d, Subject: s.Digest, SubjectName: s.Name,
			PredicateType: stmt.PredicateType, Run: run, Signer: pub.Fingerprint(), Created: now}); err != nil {
			return "", err
		}
	}
	return d, nil
}

// modelShardThreshold: a model with a file larger than this is signed with
// the "shards" method, in shards of this size, hashed in parallel.
const modelShardThreshold = 1 << 30

// signModel materialises a model tree and signs it with the OpenSSF
// model-signing format; the bundle is indexed under the tree's digest.
func signModel(ctx context.Context, st *store.Store, cat catalog.Catalog, m dataset.Model, opts Options, fingerprint, run string) (core.Digest, error) {
	tmp, err := os.MkdirTemp(opts.TempDir, "model-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, path.Base(m.Name))
	if err := st.Materialize(ctx, m.Artifact.Digest, dir, store.MaterializeOptions{}); err != nil {
		return "", err
	}
	mo := attest.ModelOptions{}
	for _, e := range m.Tree.Entries {
		if e.Size > modelShardThreshold {
			mo.ShardSize = modelShardThreshold
		}
	}
	b, err := attest.SignModel(ctx, dir, opts.Signer, mo)
	if err != nil {
		return "", err
	}
	d, err := st.PutBytes(b)
	if err != nil {
		return "", err
	}
	err = cat.PutAttestation(ctx, catalog.AttestationRow{Bundle: d, Subject: m.Artifact.Digest, SubjectName: m.Name,
		PredicateType: attest.ModelPredicateType, Run: run, Signer: fingerprint, Created: time.Now().UTC()})
	return d, err
}

package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/store"
)

// Output is a run's output to push.
type Output struct {
	Run      *core.RunRecord
	Tasks    map[string]*core.TaskRecord // the run's task records, by step
	Target   string                      // STEP.OUTPUT
	Artifact core.Artifact               // what the run recorded for Target
}

// Artifact types of the unsigned documents attached besides the bundles.
const (
	// ArtifactTypeBOM marks the run's CycloneDX ML-BOM.
	ArtifactTypeBOM = "application/vnd.cyclonedx+json"
	// ArtifactTypeScanReport marks what the format scanner found in the
	// output's files when the step made it.
	ArtifactTypeScanReport = "application/vnd.lockstep.scan-report.v1+json"
)

// PushOutput pushes the output out of a run to ref as a model, with the
// evidence lockstep holds for it attached as referrers: every attestation
// about the output the catalog indexes (the run's SLSA provenance, the
// model's OpenSSF signature, reproductions by rebuilders), the run's
// CycloneDX ML-BOM and the output's scan report. With signer set it also
// signs, and attaches, the run's provenance restated about the model's
// manifest digest, the subject cosign verify-attestation checks for an
// image.
//
// dest is oci://REGISTRY/REPOSITORY:TAG (or @sha256:HEX, which must then be
// the model's digest) or oci-layout://DIR:TAG, an OCI image layout made
// if absent.
func PushOutput(ctx context.Context, st *store.Store, cat catalog.Catalog, out Output, dest string, signer core.Signer, opts ...remote.Option) (*Pushed, error) {
	d, err := parseDestination(dest)
	if err != nil {
		return nil, err
	}
	return pushOutput(ctx, st, cat, out, d, signer, opts...)
}

// pushOutput is PushOutput to the parsed destination d.
func pushOutput(ctx context.Context, st *store.Store, cat catalog.Catalog, out Output, d *destination, signer core.Signer, opts ...remote.Option) (*Pushed, error) {
	m, err := outputModel(st, out, d.info())
	if err != nil {
		return nil, err
	}
	atts, provenance, err := bundlesAbout(ctx, st, cat, out)
	if err != nil {
		return nil, fmt.Errorf("push %s: %w", out.Target, err)
	}
	if signer != nil {
		if provenance == nil {
			return nil, fmt.Errorf("push %s: run %s has no signed provenance to restate for the registry; sign runs with --sign-with KEY", out.Target, out.Run.ID)
		}
		b, err := restate(ctx, provenance, out.Artifact.Digest, d.name, m.Digest, signer)
		if err != nil {
			return nil, fmt.Errorf("push %s: %w", out.Target, err)
		}
		atts = append(atts, BundleAttachment(b, attest.ProvenancePredicateType, out.Run.Finished))
	}
	docs, err := documents(ctx, st, cat, out)
	if err != nil {
		return nil, fmt.Errorf("push %s: %w", out.Target, err)
	}
	atts = append(atts, docs...)
	if d.layout != nil {
		return PushLayout(ctx, st, *d.layout, m, atts)
	}
	return Push(ctx, st, d.ref, m, atts, opts...)
}

// destination is where PushOutput pushes: a registry reference or a
// layout's; name is what statements call the model.
type destination struct {
	ref    name.Reference
	layout *LayoutReference
	name   string
}

func parseDestination(s string) (*destination, error) {
	if strings.HasPrefix(s, LayoutScheme) {
		l, err := ParseLayoutReference(s)
		if err != nil {
			return nil, err
		}
		if l.Tag == "" {
			return nil, fmt.Errorf("%q: push to a layout needs a tag (oci-layout://DIR:TAG)", s)
		}
		return &destination{layout: &l, name: l.Tag}, nil
	}
	ref, err := ParseReference(s)
	if err != nil {
		return nil, err
	}
	return &destination{ref: ref, name: ref.Context().Name()}, nil
}

// info names the model after its destination: the repository and the
// tag, or in a layout the tag alone (so the manifest does not depend on
// where the layout lies).
func (d *destination) info() Info {
	if d.layout != nil {
		return Info{Name: d.layout.Tag}
	}
	info := Info{Name: path.Base(d.ref.Context().RepositoryStr())}
	if t, ok := d.ref.(name.Tag); ok {
		info.Version = t.TagStr()
	}
	return info
}

// bundlesAbout returns the bundles the catalog indexes about the output,
// one attachment each, and the first of the run's own provenance bundles
// (nil if the run was not signed).
func bundlesAbout(ctx context.Context, st *store.Store, cat catalog.Catalog, out Output) ([]Attachment, []byte, error) {
	rows, err := cat.Attestations(ctx, out.Artifact.Digest)
	if err != nil {
		return nil, nil, err
	}
	var atts []Attachment
	var provenance []byte
	seen := map[core.Digest]bool{}
	for _, r := range rows {
		if seen[r.Bundle] {
			continue
		}
		seen[r.Bundle] = true
		b, err := attest.ReadBundle(st, r.Bundle)
		if err != nil {
			return nil, nil, err
		}
		if r.PredicateType == attest.ProvenancePredicateType && r.Run == out.Run.ID && provenance == nil {
			provenance = b
		}
		atts = append(atts, BundleAttachment(b, r.PredicateType, r.Created))
	}
	return atts, provenance, nil
}

// documents are the unsigned documents attached to the output: the run's
// ML-BOM and the output's scan report.
func documents(ctx context.Context, st *store.Store, cat catalog.Catalog, out Output) ([]Attachment, error) {
	var docs []Attachment
	if out.Tasks != nil {
		bom, _, err := provenance.MLBOM(ctx, st, cat, out.Run, out.Tasks)
		if err != nil {
			return nil, err
		}
		b, err := dataset.EncodeBOM(bom)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Attachment{ArtifactType: ArtifactTypeBOM, MediaType: ArtifactTypeBOM, Data: b})
	}
	step, name, _ := strings.Cut(out.Target, ".")
	if t := out.Tasks[step]; t != nil {
		rep := scanReport{Artifact: out.Target, Digest: out.Artifact.Digest, Files: []core.FileReport{}}
		for _, f := range t.Files {
			if f.Artifact == "output:"+name {
				rep.Files = append(rep.Files, f)
			}
		}
		b, err := json.Marshal(rep)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Attachment{ArtifactType: ArtifactTypeScanReport, MediaType: ArtifactTypeScanReport, Data: b})
	}
	return docs, nil
}

// scanReport is the ArtifactTypeScanReport document: the format scanner's
// reports on the output's files, as its task record holds them.
type scanReport struct {
	Artifact string            `json:"artifact"` // STEP.OUTPUT
	Digest   core.Digest       `json:"digest"`
	Files    []core.FileReport `json:"files"`
}

// outputModel lays out the output as a model described by info.
func outputModel(st *store.Store, out Output, info Info) (*Model, error) {
	info.Run, info.Created = out.Run.ID, out.Run.Finished
	if out.Run.Git != nil {
		info.Revision = out.Run.Git.Commit
	}
	a := out.Artifact
	if a.Kind != core.KindTree {
		file := a.File
		if file == "" {
			file = path.Ext(out.Target)[1:]
		}
		return NewFileModel(a.Digest, a.Size, file, info)
	}
	t, err := st.GetTree(a.Digest)
	if err != nil {
		return nil, fmt.Errorf("push %s: %w", out.Target, err)
	}
	return NewTreeModel(a.Digest, t, info)
}

// restate signs the predicate of the provenance bundle b, which must name
// subject, again, about the manifest d of the model called name.
func restate(ctx context.Context, b []byte, subject core.Digest, name string, d core.Digest, signer core.Signer) ([]byte, error) {
	st, err := attest.InspectUnverified(b)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(st.Subject, func(s attest.Subject) bool { return s.Digest == subject }) {
		return nil, fmt.Errorf("the run's provenance does not name %s; not restating it", subject.Short())
	}
	stmt := attest.NewStatement([]attest.Subject{{Name: name, Digest: d}}, st.PredicateType, st.Predicate)
	return attest.Sign(ctx, stmt, signer)
}

// ExportRun writes every output of the run rec (tasks are its task
// records) into dest, a new OCI image layout, each tagged STEP.OUTPUT (see
// LayoutTag for an item of a foreach step) with
// its evidence attached as PushOutput attaches it. The layout is built
// beside dest and renamed to it when complete.
func ExportRun(ctx context.Context, st *store.Store, cat catalog.Catalog, rec *core.RunRecord, tasks map[string]*core.TaskRecord, dest string) (err error) {
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s already exists; choose a new destination", dest)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".lockstep-export-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, step := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[step]
		for _, name := range slices.Sorted(maps.Keys(t.Outputs)) {
			target := step + "." + name
			out := Output{Run: rec, Tasks: tasks, Target: target, Artifact: t.Outputs[name]}
			tag := LayoutTag(target)
			d := &destination{layout: &LayoutReference{Dir: tmp, Tag: tag}, name: tag}
			if _, err := pushOutput(ctx, st, cat, out, d, nil); err != nil {
				return err
			}
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, dest)
}

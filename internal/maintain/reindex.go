package maintain

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/store"
)

// isBOMOrBundle reports whether an object looks like a CycloneDX document
// or a Sigstore bundle, the other objects a catalog indexes.
func isBOMOrBundle(b []byte) bool {
	head := b[:min(len(b), 4096)]
	return bytes.Contains(head, []byte(`"bomFormat"`)) || bytes.Contains(head, []byte(attest.BundleMediaType))
}

// reindex restores the catalog rows of a dataset BOM (its immutable
// name) or a bundle (one attestation row per subject). Bundles are read
// without verifying them: the catalog only says where evidence is, and
// every reader verifies it against its own trusted keys. What is not a
// valid BOM or bundle is left alone.
func reindex(ctx context.Context, st *store.Store, cat catalog.Catalog, d core.Digest, rep *RebuildReport) error {
	b, err := st.ReadBytes(d)
	if err != nil {
		return nil
	}
	if bom, err := dataset.ParseBOM(b); err == nil {
		if err := cat.BindName(ctx, dataset.Kind, bom.Ref.String(), bom.Tree, d); err != nil {
			return err
		}
		rep.Datasets++
		return nil
	}
	stmt, err := attest.InspectUnverified(b)
	if err != nil {
		return nil
	}
	run := runOf(stmt)
	for _, s := range stmt.Subject {
		if err := cat.PutAttestation(ctx, catalog.AttestationRow{Bundle: d, Subject: s.Digest, SubjectName: s.Name,
			PredicateType: stmt.PredicateType, Run: run, Created: time.Now().UTC()}); err != nil {
			return err
		}
	}
	rep.Attestations++
	return nil
}

// runOf names the run a statement speaks of: a provenance's invocation id,
// or a reproduction's rerun.
func runOf(stmt *attest.Statement) string {
	var p struct {
		RunDetails struct {
			Metadata struct {
				InvocationID string `json:"invocationId"`
			} `json:"metadata"`
		} `json:"runDetails"`
		Rerun string `json:"rerun"`
	}
	raw, ok := stmt.Predicate.(json.RawMessage)
	if !ok || json.Unmarshal(raw, &p) != nil {
		return ""
	}
	if p.RunDetails.Metadata.InvocationID != "" {
		return p.RunDetails.Metadata.InvocationID
	}
	return p.Rerun
}

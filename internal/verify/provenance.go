package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

var errNoProvenance = errors.New("no signed provenance")

// findProvenance checks every provenance bundle about d (from the catalog
// and the given files) and returns the first that verifies. When none does,
// the error explains the most telling failure.
func findProvenance(ctx context.Context, st *store.Store, cat catalog.Catalog, d core.Digest, files []string, keys []*attest.PublicKey) (*Provenance, error) {
	var cands []candidate
	for _, f := range files {
		b, err := core.ReadFileLimited(f, attest.MaxBundleSize)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", f, err)
		}
		cands = append(cands, candidate{f, b})
	}
	if cat != nil && st != nil {
		stored, err := attest.Stored(ctx, st, cat, d, attest.ProvenancePredicateType)
		if err != nil {
			return nil, err
		}
		for _, sb := range stored {
			if sb.Err != nil {
				return nil, sb.Err
			}
			cands = append(cands, candidate{sb.Row.Bundle.String(), sb.Bytes})
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w for %s: no run signed it (sign runs with `lockstep run --sign-with KEY`), or pass the bundle with --bundle", errNoProvenance, d)
	}
	return provenanceAmong(cands, d, keys)
}

// candidate is a provenance bundle to try, and what to call it.
type candidate struct {
	name string
	b    []byte
}

// provenanceAmong returns the first of cands that verifies with keys and
// names d, or why none did (a bundle naming another subject first).
func provenanceAmong(cands []candidate, d core.Digest, keys []*attest.PublicKey) (*Provenance, error) {
	var firstErr error
	for _, c := range cands {
		v, err := attest.Verify(c.b, keys, d)
		if err == nil {
			return summarise(c.name, v, d), nil
		}
		// A wrong-subject bundle given by hand is the most telling failure.
		if firstErr == nil || errors.Is(err, attest.ErrSubjectMismatch) {
			firstErr = fmt.Errorf("provenance %s: %s", shortName(c.name), explain(err, keys))
		}
	}
	return nil, firstErr
}

// explain says why an attestation failed, with the details and, for an
// untrusted signer, the keys that are trusted.
func explain(err error, keys []*attest.PublicKey) string {
	why := attest.Explain(err)
	if errors.Is(err, attest.ErrWrongKey) {
		why += " (trusted: " + keyNames(keys) + ")"
	}
	if why == err.Error() {
		return why
	}
	return why + ": " + err.Error()
}

// slsaView is the part of a SLSA provenance predicate the report shows.
type slsaView struct {
	BuildDefinition struct {
		ResolvedDependencies []struct {
			Name        string            `json:"name"`
			URI         string            `json:"uri"`
			Digest      map[string]string `json:"digest"`
			Annotations map[string]any    `json:"annotations"`
		} `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Builder  struct{ ID string } `json:"builder"`
		Metadata struct {
			InvocationID string `json:"invocationId"`
			StartedOn    string `json:"startedOn"`
			FinishedOn   string `json:"finishedOn"`
		} `json:"metadata"`
	} `json:"runDetails"`
}

func summarise(bundle string, v *attest.Verified, d core.Digest) *Provenance {
	p := &Provenance{Bundle: bundle, Key: v.Key.Fingerprint(), KeyFile: v.Key.Name}
	for _, s := range v.Statement.Subject {
		if s.Digest == d {
			p.Subject = s.Name
		}
	}
	var view slsaView
	if v.Statement.DecodePredicate(&view) == nil {
		p.Run = view.RunDetails.Metadata.InvocationID
		p.Builder = view.RunDetails.Builder.ID
		p.Started, p.Finished = view.RunDetails.Metadata.StartedOn, view.RunDetails.Metadata.FinishedOn
		for _, dep := range view.BuildDefinition.ResolvedDependencies {
			digest := "sha256:" + dep.Digest["sha256"]
			switch {
			case dep.Name == "code":
				p.Code = digest
				if c, ok := dep.Annotations["gitCommit"].(string); ok {
					p.Commit = c
				}
			case strings.HasPrefix(dep.Name, "dataset:"):
				p.Datasets = append(p.Datasets, strings.TrimPrefix(dep.Name, "dataset:")+" "+digest)
			case strings.HasPrefix(dep.Name, "path:"):
				p.Inputs = append(p.Inputs, strings.TrimPrefix(dep.Name, "path:")+" "+digest)
			}
		}
	}
	return p
}

func shortName(s string) string {
	if d, err := core.ParseDigest(s); err == nil {
		return d.Short()
	}
	return s
}

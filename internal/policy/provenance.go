package policy

import (
	"fmt"
	"slices"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// slsaMetadata is the part of a SLSA provenance predicate policy reads.
type slsaMetadata struct {
	RunDetails struct {
		Metadata struct {
			InvocationID string    `json:"invocationId"`
			StartedOn    time.Time `json:"startedOn"`
			FinishedOn   time.Time `json:"finishedOn"`
		} `json:"metadata"`
	} `json:"runDetails"`
}

// provenance finds the artifact's provenance, records it as evidence and
// judges it: signed by the required role, no older than maxAge.
func (e *evaluator) provenance() (Check, error) {
	const name = "provenance"
	list, err := e.attestations(e.t.Digest, attest.ProvenancePredicateType)
	if err != nil {
		return Check{}, err
	}
	list = e.withExtra(list)
	if len(list) == 0 {
		return fail(name, "", fmt.Sprintf("no provenance for %s: no signed run made it (sign runs with `lockstep run --sign-with KEY`)", e.t.Digest)), nil
	}
	role := ""
	if r := e.pol.Require.Provenance; r != nil {
		role = r.SignedBy
	}
	se, ok := e.pick(list, role)
	e.ev.Provenance = &se
	if !se.Verified {
		return fail(name, se.Bundle, "provenance "+se.Error), nil
	}
	if r := e.pol.Require.Provenance; r != nil && !ok {
		return fail(name, se.Bundle, fmt.Sprintf("provenance is %s, not by role %s", describe(se), r.SignedBy)), nil
	}
	var md slsaMetadata
	if err := decode(se.Predicate, &md); err != nil {
		return fail(name, se.Bundle, "provenance predicate unreadable: "+err.Error()), nil
	}
	finished := md.RunDetails.Metadata.FinishedOn
	if r := e.pol.Require.Provenance; r != nil && r.MaxAge > 0 {
		if finished.IsZero() {
			return fail(name, se.Bundle, "provenance does not say when the run finished, so its age is unknown"), nil
		}
		if age := e.ev.Now.Sub(finished); age > r.MaxAge {
			return fail(name, se.Bundle, fmt.Sprintf("provenance expired: run finished %s, %s ago, more than maxAge %s", finished.UTC().Format(time.RFC3339), roundAge(age), formatAge(r.MaxAge))), nil
		}
	}
	return pass(name, se.Bundle, fmt.Sprintf("%s, run %s finished %s", describe(se), md.RunDetails.Metadata.InvocationID, finished.UTC().Format(time.RFC3339))), nil
}

// withExtra adds the provenance bundles given in Options to list, each
// verified as a stored one is; a bundle the catalog also holds is not
// repeated.
func (e *evaluator) withExtra(list []SignedEvidence) []SignedEvidence {
	for _, b := range e.extra {
		d := core.DigestOf(b)
		if !slices.ContainsFunc(list, func(se SignedEvidence) bool { return se.Bundle == d }) {
			list = append(list, e.verifyBundle(d, b, e.t.Digest, attest.ProvenancePredicateType))
		}
	}
	return list
}

// runID is the run the provenance names: from the verified statement, or
// else from the catalog's index of the (unverified) attestation.
func (e *evaluator) runID() (string, error) {
	p := e.ev.Provenance
	if p == nil {
		return "", nil
	}
	if p.Verified {
		var md slsaMetadata
		if decode(p.Predicate, &md) == nil && md.RunDetails.Metadata.InvocationID != "" {
			return md.RunDetails.Metadata.InvocationID, nil
		}
	}
	rows, err := attest.StoredRows(e.ctx, e.cat, e.t.Digest, attest.ProvenancePredicateType)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.Bundle == p.Bundle && r.Run != "" {
			return r.Run, nil
		}
	}
	return "", nil
}

func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.Round(time.Second).String()
}

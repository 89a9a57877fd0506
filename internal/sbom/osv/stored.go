package osv

import (
	"context"
	"fmt"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Save stores the report as a canonical JSON object and indexes it under
// its run. It returns the report's digest.
func Save(ctx context.Context, st *store.Store, cat catalog.Catalog, rep *Report) (core.Digest, error) {
	d, err := st.PutJSON(rep)
	if err != nil {
		return "", fmt.Errorf("store audit of run %s: %w", rep.Run, err)
	}
	if err := cat.PutAudit(ctx, catalog.AuditRow{Run: rep.Run, Report: d, Created: rep.Created}); err != nil {
		return "", err
	}
	return d, nil
}

// Sign signs the report as an in-toto statement (PredicateType) whose
// subjects are the audited environments ("environment:STEP"), stores the
// bundle and indexes it under each environment and the run. It returns
// the bundle's digest.
func Sign(ctx context.Context, st *store.Store, cat catalog.Catalog, rep *Report, signer core.Signer) (core.Digest, error) {
	pub, err := attest.PublicKeyOf(signer)
	if err != nil {
		return "", err
	}
	var subjects []attest.Subject
	seen := map[core.Digest]bool{}
	for _, s := range rep.Steps {
		if s.Environment != "" && !seen[s.Environment] {
			seen[s.Environment] = true
			subjects = append(subjects, attest.Subject{Name: "environment:" + s.Step, Digest: s.Environment})
		}
	}
	if len(subjects) == 0 {
		return "", fmt.Errorf("sign audit of run %s: no environment to attest", rep.Run)
	}
	b, err := attest.Sign(ctx, attest.NewStatement(subjects, PredicateType, rep), signer)
	if err != nil {
		return "", fmt.Errorf("sign audit of run %s: %w", rep.Run, err)
	}
	bundle, err := st.PutBytes(b)
	if err != nil {
		return "", fmt.Errorf("store signed audit of run %s: %w", rep.Run, err)
	}
	for _, s := range subjects {
		row := catalog.AttestationRow{Bundle: bundle, Subject: s.Digest, SubjectName: s.Name, PredicateType: PredicateType,
			Run: rep.Run, Signer: pub.Fingerprint(), Created: rep.Created}
		if err := cat.PutAttestation(ctx, row); err != nil {
			return "", fmt.Errorf("index signed audit of run %s: %w", rep.Run, err)
		}
	}
	return bundle, nil
}

// Latest returns the newest stored audit report of a run and its digest,
// or nil when the run was never audited.
func Latest(ctx context.Context, st *store.Store, cat catalog.Catalog, run string) (*Report, core.Digest, error) {
	rows, err := cat.Audits(ctx, run)
	if err != nil || len(rows) == 0 {
		return nil, "", err
	}
	d := rows[len(rows)-1].Report
	var rep Report
	if err := st.GetJSON(d, &rep); err != nil {
		return nil, "", fmt.Errorf("audit report %s of run %s: %w", d, run, err)
	}
	if rep.Type != ReportType {
		return nil, "", fmt.Errorf("audit report %s of run %s: type %q, want %s", d, run, rep.Type, ReportType)
	}
	return &rep, d, nil
}

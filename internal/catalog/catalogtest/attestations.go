package catalogtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

const slsaProvenance = "https://slsa.dev/provenance/v1"

// attestation is an attestation of run about subject, created at At(sec).
func attestation(bundle, subject, run string, sec int) catalog.AttestationRow {
	return catalog.AttestationRow{
		Bundle: Digest(bundle), Subject: Digest(subject), SubjectName: subject, PredicateType: slsaProvenance,
		Run: run, Signer: "SHA256:fingerprint", Created: At(sec),
	}
}

func testAttestations(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	unsigned := attestation("b3", "model", "", 5)
	unsigned.Signer, unsigned.Created = "", time.Time{}
	all := []catalog.AttestationRow{
		attestation("b2", "model", "r1", 20),
		attestation("b1", "model", "r1", 10),
		attestation("b1", "metrics", "r1", 10), // one bundle, two subjects
		attestation("b4", "data", "r2", 0),
		unsigned,
	}
	for _, a := range append(all, all[0], all[2]) { // putting twice is harmless
		if err := c.PutAttestation(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		get  func() ([]catalog.AttestationRow, error)
		want []catalog.AttestationRow
	}{
		{"about model", func() ([]catalog.AttestationRow, error) { return c.Attestations(ctx, Digest("model")) }, []catalog.AttestationRow{unsigned, all[1], all[0]}},
		{"about metrics", func() ([]catalog.AttestationRow, error) { return c.Attestations(ctx, Digest("metrics")) }, []catalog.AttestationRow{all[2]}},
		{"about unknown", func() ([]catalog.AttestationRow, error) { return c.Attestations(ctx, Digest("nothing")) }, nil},
		{"of run r1", func() ([]catalog.AttestationRow, error) { return c.RunAttestations(ctx, "r1") }, []catalog.AttestationRow{all[2], all[1], all[0]}},
		{"of run r2", func() ([]catalog.AttestationRow, error) { return c.RunAttestations(ctx, "r2") }, []catalog.AttestationRow{all[3]}},
		{"every one", func() ([]catalog.AttestationRow, error) { return c.AllAttestations(ctx) }, []catalog.AttestationRow{unsigned, all[3], all[2], all[1], all[0]}},
	} {
		got, err := tc.get()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func testPutAttestationRejectsBadRows(t *testing.T, c catalog.Catalog) {
	for name, mutate := range map[string]func(*catalog.AttestationRow){
		"no bundle":         func(a *catalog.AttestationRow) { a.Bundle = "" },
		"bad subject":       func(a *catalog.AttestationRow) { a.Subject = core.Digest("sha256:" + "AB") },
		"no predicate type": func(a *catalog.AttestationRow) { a.PredicateType = "" },
	} {
		a := attestation("b", "s", "r", 0)
		mutate(&a)
		if err := c.PutAttestation(context.Background(), a); err == nil {
			t.Errorf("%s: PutAttestation accepted it", name)
		}
	}
}

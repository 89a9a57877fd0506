package attest

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

func testProvenance() Provenance {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	return Provenance{
		Subjects: []Subject{
			{Name: "train/model", Digest: core.DigestOf([]byte("model"))},
			{Name: "eval/metrics", Digest: core.DigestOf([]byte("metrics"))},
		},
		External: map[string]any{
			"flow":   map[string]any{"path": "lockstep.yaml", "digest": core.DigestOf([]byte("flow"))},
			"seed":   uint64(18446744073709551557),
			"params": map[string]any{"lr": 0.001, "epochs": 3},
			"steps":  []string{"train", "eval"},
		},
		Internal: map[string]any{"lockstep": "0.1.0", "sandbox": "bubblewrap"},
		Dependencies: []ResourceDescriptor{
			{Name: "code", URI: "git+https://example.com/repo@0123abc", Digest: core.DigestOf([]byte("tree")), Annotations: map[string]any{"commit": "0123abc"}},
			{Name: "dataset:housing@2017", Digest: core.DigestOf([]byte("data"))},
		},
		BuilderID:    "https://lockstep.dev/builders/local/alice@host",
		InvocationID: "run-42",
		Started:      start,
		Finished:     start.Add(90 * time.Second),
		Byproducts:   []ResourceDescriptor{{Name: "task/train", Digest: core.DigestOf([]byte("task"))}},
	}
}

func TestProvenanceGolden(t *testing.T) {
	st, err := testProvenance().Statement()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := st.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `"seed":18446744073709551557`) {
		t.Error("the seed lost precision")
	}
	checkGolden(t, "provenance.golden.json", payload)

	// Signed and verified, the predicate reads back.
	s := testSigner(t, "")
	b, err := Sign(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(b, []*PublicKey{s.PublicKey}, core.DigestOf([]byte("metrics")))
	if err != nil {
		t.Fatal(err)
	}
	var pred struct {
		BuildDefinition struct {
			BuildType string `json:"buildType"`
		} `json:"buildDefinition"`
		RunDetails struct {
			Builder struct {
				ID string `json:"id"`
			} `json:"builder"`
		} `json:"runDetails"`
	}
	if err := v.Statement.DecodePredicate(&pred); err != nil {
		t.Fatal(err)
	}
	if v.PredicateType != ProvenancePredicateType || pred.BuildDefinition.BuildType != BuildType ||
		pred.RunDetails.Builder.ID != "https://lockstep.dev/builders/local/alice@host" {
		t.Errorf("verified %s %+v", v.PredicateType, pred)
	}
}

func TestProvenanceRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Provenance)
		want   string
	}{
		{"no builder", func(p *Provenance) { p.BuilderID = "" }, "no builder ID"},
		{"no external parameters", func(p *Provenance) { p.External = nil }, "no external parameters"},
		{"no subjects", func(p *Provenance) { p.Subjects = nil }, "no subjects"},
		{"bad dependency digest", func(p *Provenance) { p.Dependencies[0].Digest = "sha256:xyz" }, "ResolvedDependencies[0]"},
		{"empty dependency", func(p *Provenance) { p.Byproducts = append(p.Byproducts, ResourceDescriptor{}) }, "Byproducts[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testProvenance()
			tt.change(&p)
			_, err := p.Statement()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

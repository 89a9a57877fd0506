package maintain

import (
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

func TestMarkFollowsRecordsNotData(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(b string) core.Digest {
		d, err := st.PutBytes([]byte(b))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	data := put("payload")
	// A data file that happens to mention a digest is not a record.
	lookalike := put(`{"note":"` + data.String() + `"}`)
	missing := core.DigestOf([]byte("never stored"))
	leaf := put(`{"type":"lockstep.task/v1","stdout":"` + data.String() + `"}`)
	root := put(`{"type":"lockstep.run/v1","tasks":{"a":"` + leaf.String() + `"},"lost":"` + missing.String() + `"}`)
	unreached := put("orphan")

	live, absent := mark(st, []core.Digest{root, lookalike})
	for _, d := range []core.Digest{root, leaf, data, lookalike} {
		if !live[d] {
			t.Errorf("%s not marked", d.Short())
		}
	}
	if live[unreached] {
		t.Error("an object nothing names was marked")
	}
	if from, ok := absent[missing]; !ok || from != root {
		t.Errorf("missing reference not reported with its referrer: %v", absent)
	}
	if got := recordType([]byte(`{"type":"lockstep.tree/v1"}`)); got != "lockstep.tree/v1" {
		t.Errorf("recordType = %q", got)
	}
	if got := recordType([]byte(`{"type":"other"}`)); got != "" {
		t.Errorf("recordType of a foreign document = %q", got)
	}
}

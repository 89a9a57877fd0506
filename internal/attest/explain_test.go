package attest

import (
	"errors"
	"fmt"
	"testing"
)

func TestExplainNamesEachFailure(t *testing.T) {
	seen := map[string]error{}
	for _, err := range []error{ErrNoSignature, ErrWrongKey, ErrBadSignature, ErrSubjectMismatch, ErrModelMismatch, ErrMalformed} {
		got := Explain(fmt.Errorf("bundle x: %w", err))
		if got == "" || got == "bundle x: "+err.Error() {
			t.Errorf("Explain(%v) = %q: no sentence of its own", err, got)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%v and %v explain alike: %q", err, other, got)
		}
		seen[got] = err
	}
	if got := Explain(errors.New("disk on fire")); got != "disk on fire" {
		t.Errorf("an error of another kind comes back as %q", got)
	}
}

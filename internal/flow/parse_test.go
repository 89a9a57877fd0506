package flow

import (
	"errors"
	"testing"
)

func TestParseInvalid(t *testing.T) {
	dir := project(t)
	for _, tc := range invalidFlows {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("lockstep.yaml", flowText(tc.yaml), dir)
			if err == nil {
				t.Fatalf("Parse succeeded (%d steps), want error:\n%s", len(f.Steps), tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got: %s\nwant: %s", got, tc.want)
			}
			var one *Error
			if !errors.As(err, &one) || one.File != "lockstep.yaml" {
				t.Errorf("errors.As(*Error) = %v, %+v; want an *Error of lockstep.yaml", one != nil, one)
			}
		})
	}
}

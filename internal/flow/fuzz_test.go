package flow

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, must either
// return a flow or an ErrorList of located errors, and a flow it returns
// must order every step.
func FuzzParse(f *testing.F) {
	for _, tc := range invalidFlows {
		f.Add(flowText(tc.yaml))
	}
	f.Add(flowText(diamond))
	f.Add(Template("fuzz"))
	if src, err := os.ReadFile(filepath.Join("testdata", "iris", "lockstep.yaml")); err == nil {
		f.Add(src)
	}
	dir := project(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse("lockstep.yaml", data, dir)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			for _, e := range list {
				if strings.Contains(e.Error(), "\n") || e.File != "lockstep.yaml" {
					t.Fatalf("error %q is not one line of lockstep.yaml", e.Error())
				}
			}
			return
		}
		if got := len(fl.Order()); got != len(fl.Steps) {
			t.Fatalf("Order() has %d steps, the flow %d", got, len(fl.Steps))
		}
		for name, s := range fl.Steps {
			if s.Run == "" || s.Name != name {
				t.Fatalf("step %q: name %q, run %q", name, s.Name, s.Run)
			}
		}
	})
}

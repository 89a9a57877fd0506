package osv

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the OSV parser and every parsed
// advisory to the range evaluation: nothing may panic, and what Parse
// accepts has a valid id and printable names.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixture, "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(goodEntry))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse(b)
		if err != nil {
			return
		}
		if !idRE.MatchString(a.ID) {
			t.Fatalf("accepted id %q", a.ID)
		}
		for i := range a.Affected {
			af := &a.Affected[i]
			if !isPrintable(af.Package.Name) || !isPrintable(af.Package.Ecosystem) {
				t.Fatalf("accepted name %q in %q", af.Package.Name, af.Package.Ecosystem)
			}
			for _, v := range []string{"0", "1.0", "2.0rc1", "1:1.0-1"} {
				Evaluate(af, v)
			}
			severityOf(a, af)
		}
	})
}

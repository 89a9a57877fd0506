package osv

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
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
			severityOf(a, i)
		}
	})
}

// FuzzCVSS feeds arbitrary vectors to the CVSS scorers: nothing may
// panic, an accepted vector scores between 0 and 10 in tenths, and a v3
// vector go-cvss also reads scores the same with both.
func FuzzCVSS(f *testing.F) {
	for _, v := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N/E:U",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:N/VI:H/VA:H/SC:N/SI:L/SA:L/E:P/CR:H/MSI:S/S:N/U:Amber",
		"CVSS:4.0/SA:N/AV:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:lear",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, score := range []func(string) (float64, error){CVSS3BaseScore, CVSS4BaseScore} {
			s, err := score(v)
			if err == nil && (s < 0 || s > 10 || math.Abs(s*10-math.Round(s*10)) > 1e-9) {
				t.Fatalf("%q scored %v", v, s)
			}
		}
		ours, err := CVSS3BaseScore(v)
		if err != nil {
			return
		}
		var theirs float64
		if c, err := cvss31.ParseVector(v); err == nil && strings.HasPrefix(v, "CVSS:3.1/") {
			theirs = c.BaseScore()
		} else if c, err := cvss30.ParseVector(v); err == nil && strings.HasPrefix(v, "CVSS:3.0/") {
			theirs = c.BaseScore()
		} else {
			return
		}
		if ours != theirs {
			t.Fatalf("%q: lockstep %v, go-cvss %v", v, ours, theirs)
		}
	})
}

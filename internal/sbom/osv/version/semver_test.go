package version

import "testing"

// semverOrder is the precedence example of SemVer 2.0 (item 11) followed
// by the release ordering of item 11.2.
var semverOrder = []string{
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0",
}

func TestSemVerOrdersTheSpecificationsExample(t *testing.T) {
	for i, a := range semverOrder {
		for j, b := range semverOrder {
			c, err := CompareSemVer(a, b)
			if err != nil || c != cmpRank(i, j) {
				t.Errorf("CompareSemVer(%q, %q) = %d, %v; want %d", a, b, c, err, cmpRank(i, j))
			}
		}
	}
	for _, pair := range [][2]string{{"1.0.0+build.1", "1.0.0+build.2"}, {"1.0.0-alpha+001", "1.0.0-alpha"}, {"v1.2.3", "1.2.3"}} {
		if c, err := CompareSemVer(pair[0], pair[1]); err != nil || c != 0 {
			t.Errorf("CompareSemVer(%q, %q) = %d, %v; build metadata must not order", pair[0], pair[1], c, err)
		}
	}
}

func TestSemVerRejectsInvalid(t *testing.T) {
	for _, s := range []string{"", "1", "1.0", "01.0.0", "1.00.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b", "1.0.0-a_b", "1.0.0.0", "a.b.c", "1.0.0 "} {
		if _, err := ParseSemVer(s); err == nil {
			t.Errorf("ParseSemVer(%q) succeeded, want an error", s)
		}
	}
}

func TestForEcosystem(t *testing.T) {
	for eco, pair := range map[string][2]string{"PyPI": {"1.0a1", "1.0"}, "Debian:12": {"1.0~rc1", "1.0"}, "Ubuntu:22.04:LTS": {"1.0~rc1", "1.0"}, "npm": {"1.0.0-rc.1", "1.0.0"}} {
		o, err := ForEcosystem(eco)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := o(pair[0], pair[1]); err != nil || c != -1 {
			t.Errorf("%s: %q vs %q = %d, %v", eco, pair[0], pair[1], c, err)
		}
	}
	if _, err := ForEcosystem("Alpine:v3.19"); err == nil {
		t.Error("Alpine has an ordering, want ErrUnsupported")
	}
}

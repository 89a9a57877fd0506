package version

import (
	"testing"
)

// packagingOrder is the ordered list of packaging's test_version.py
// (VERSIONS): each version sorts strictly before every later one.
var packagingOrder = []string{
	"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
	"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
	"1.0b2-346", "1.0c1.dev456", "1.0c1", "1.0rc2", "1.0c3", "1.0",
	"1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2+123abc",
	"1.2+123abc456", "1.2+abc", "1.2+abc123", "1.2+abc123def", "1.2+1234.abc",
	"1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
	"1!1.0.dev456", "1!1.0a1", "1!1.0a2.dev456", "1!1.0a12.dev456", "1!1.0a12",
	"1!1.0b1.dev456", "1!1.0b2", "1!1.0b2.post345.dev456", "1!1.0b2.post345",
	"1!1.0b2-346", "1!1.0c1.dev456", "1!1.0c1", "1!1.0rc2", "1!1.0c3", "1!1.0",
	"1!1.0.post456.dev34", "1!1.0.post456", "1!1.1.dev1", "1!1.2+123abc",
	"1!1.2+123abc456", "1!1.2+abc", "1!1.2+abc123", "1!1.2+abc123def",
	"1!1.2+1234.abc", "1!1.2+123456", "1!1.2.r32+123456", "1!1.2.rev33+123456",
}

func TestPEP440OrdersPackagingsVersionList(t *testing.T) {
	for i, a := range packagingOrder {
		for j, b := range packagingOrder {
			c, err := ComparePEP440(a, b)
			if err != nil {
				t.Fatal(err)
			}
			if want := cmpRank(i, j); c != want {
				t.Errorf("ComparePEP440(%q, %q) = %d, want %d", a, b, c, want)
			}
		}
	}
}

// TestPEP440NormalisedSpellingsAreEqual takes the spellings PEP 440's
// normalisation section (and packaging's tests) say mean the same version.
func TestPEP440NormalisedSpellingsAreEqual(t *testing.T) {
	for _, group := range [][]string{
		{"1.0", "1.0.0", "1.0.0.0", "v1.0", "V1.0", " 1.0\n", "01.00"},
		{"1.0a1", "1.0-alpha-1", "1.0.a1", "1.0alpha1", "1.0A1", "1.0_a_1", "1.0a01"},
		{"1.0b2", "1.0beta2", "1.0-b2", "1.0.beta.2"},
		{"1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0-rc-1", "1.0RC1"},
		{"1.0a0", "1.0a", "1.0alpha"},
		{"1.0.post1", "1.0-1", "1.0-r1", "1.0rev1", "1.0.post-1", "1.0-post1", "1.0POST1"},
		{"1.0.post0", "1.0.post", "1.0-post"},
		{"1.0.dev0", "1.0.dev", "1.0-dev", "1.0_dev0", "1.0DEV"},
		{"1.0+ubuntu.1", "1.0+ubuntu-1", "1.0+ubuntu_1", "1.0+UBUNTU.1", "1.0+ubuntu.01"},
		{"0!1.0", "1.0", "00!1.0"},
	} {
		for _, s := range group[1:] {
			if c, err := ComparePEP440(group[0], s); err != nil || c != 0 {
				t.Errorf("ComparePEP440(%q, %q) = %d, %v; want equal", group[0], s, c, err)
			}
		}
	}
}

func TestPEP440Pairs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1!0.1", "2.0", 1},
		{"1.0", "1.0+local", -1},
		{"2.28.0", "2.31.0", -1},
		{"2.31.0", "2.31.0rc1", 1},
		{"1.10", "1.9", 1},
		{"1.0.0.0.1", "1.0", 1},
		{"38.0.4", "39.0.1", -1},
		{"2022.9.24", "2022.12.7", -1},
		{"99999999999999999999999.0", "99999999999999999999998.0", 1},
		{"1.0.post1.dev2", "1.0.post1", -1},
		{"1.0.post1.dev2", "1.0", 1},
		{"1.0a1.post1", "1.0a1", 1},
		{"1.0a1.post1", "1.0a2", -1},
		{"1.0.dev1", "1.0a1.dev1", -1},
	} {
		c, err := ComparePEP440(tc.a, tc.b)
		if err != nil || c != tc.want {
			t.Errorf("ComparePEP440(%q, %q) = %d, %v; want %d", tc.a, tc.b, c, err, tc.want)
		}
		if c, _ := ComparePEP440(tc.b, tc.a); c != -tc.want {
			t.Errorf("ComparePEP440(%q, %q) = %d, want %d", tc.b, tc.a, c, -tc.want)
		}
	}
}

// TestPEP440RejectsPackagingsInvalidVersions takes the invalid versions
// of packaging's tests (which LegacyVersion once accepted).
func TestPEP440RejectsPackagingsInvalidVersions(t *testing.T) {
	for _, s := range []string{
		"french toast", "1.0+a+", "1.0++", "1.0+_foobar", "1.0+foo&asd", "1.0+1+1",
		"", "1.0.", ".1", "1.0-", "1.0a1a1", "1.0.dev1.post1", "1..0", "1.0 a1", "1.0\x00",
		"1.0+", "+1", "!1.0", "1!", "1.0 1.0",
	} {
		if _, err := ParsePEP440(s); err == nil {
			t.Errorf("ParsePEP440(%q) succeeded, want an error", s)
		}
	}
	long := "1"
	for len(long) <= maxLen {
		long += ".1"
	}
	if _, err := ParsePEP440(long); err == nil {
		t.Errorf("a %d-byte version was accepted", len(long))
	}
}

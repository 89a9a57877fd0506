package version

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// randomVersion builds a version from pieces that exercise an ordering's
// corners: numbers with leading zeros, letters, separators, tildes.
func randomVersion(r *rand.Rand, pieces []string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(r.IntN(3)))
	for n := r.IntN(6); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestDebianAgreesWithDpkg compares random pairs with dpkg
// --compare-versions, the reference implementation, where it is installed.
func TestDebianAgreesWithDpkg(t *testing.T) {
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		t.Skip("dpkg is not installed; the vectors of TestDebianOrdersDpkgsVectors still ran")
	}
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{".", "0", "1", "01", "10", "a", "b", "Z", "~", "~rc", "+", "+b1", "-1", "-0ubuntu1", "~deb12u1", "p", ".9", "dfsg"}
	for i := 0; i < 80; i++ {
		a, b := randomVersion(r, pieces), randomVersion(r, pieces)
		if r.IntN(4) == 0 {
			a = strconv.Itoa(r.IntN(2)) + ":" + a
		}
		got, err := CompareDebian(a, b)
		if err != nil {
			continue // dpkg may only warn on some malformed versions
		}
		want := 0
		for _, rel := range []struct {
			op string
			c  int
		}{{"lt", -1}, {"gt", 1}} {
			if exec.Command(dpkg, "--compare-versions", a, rel.op, b).Run() == nil {
				want = rel.c
			}
		}
		if got != want {
			t.Errorf("CompareDebian(%q, %q) = %d, dpkg says %d", a, b, got, want)
		}
	}
}

// referencePython prints, for each "a b" line on stdin, the comparison of
// packaging.version.Version(a) with Version(b), or "invalid".
const referencePython = `
import sys
try:
    from packaging.version import Version, InvalidVersion
except ImportError:
    from pip._vendor.packaging.version import Version, InvalidVersion
for line in sys.stdin:
    a, b = line.split()
    try:
        va, vb = Version(a), Version(b)
        print((va > vb) - (va < vb))
    except InvalidVersion:
        print("invalid")
`

// TestPEP440AgreesWithPackaging compares random pairs with Python's
// packaging library (pip's copy will do) where Python has it.
func TestPEP440AgreesWithPackaging(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if exec.Command(python, "-c", "import pip._vendor.packaging.version").Run() != nil &&
		exec.Command(python, "-c", "import packaging.version").Run() != nil {
		t.Skip("python3 has neither packaging nor pip's copy of it")
	}
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{".", "0", "1", "01", "10", "a", "b", "rc", "c", ".post", "-", ".dev", "+local", "+1.x", "alpha", "!", "r", "_"}
	var in bytes.Buffer
	var pairs [][2]string
	for i := 0; i < 3000; i++ {
		a, b := randomVersion(r, pieces), randomVersion(r, pieces)
		pairs = append(pairs, [2]string{a, b})
		fmt.Fprintf(&in, "%s %s\n", a, b)
	}
	cmd := exec.Command(python, "-c", referencePython)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference script: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pairs) {
		t.Fatalf("reference printed %d lines for %d pairs", len(lines), len(pairs))
	}
	valid := 0
	for i, p := range pairs {
		got, err := ComparePEP440(p[0], p[1])
		if lines[i] == "invalid" {
			if err == nil {
				_, ea := ParsePEP440(p[0])
				_, eb := ParsePEP440(p[1])
				t.Errorf("packaging rejects %q or %q, we accept both (%v, %v)", p[0], p[1], ea, eb)
			}
			continue
		}
		valid++
		if err != nil {
			t.Errorf("packaging reads %q and %q, we fail: %v", p[0], p[1], err)
			continue
		}
		if want, _ := strconv.Atoi(lines[i]); got != want {
			t.Errorf("ComparePEP440(%q, %q) = %d, packaging says %d", p[0], p[1], got, want)
		}
	}
	if valid < 300 {
		t.Errorf("only %d of %d random pairs were valid versions: the generator needs work", valid, len(pairs))
	}
}

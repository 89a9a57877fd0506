package version

import "testing"

// dpkgVectors are comparisons from dpkg's own tests (Dpkg_Version.t's
// table and t-version.c) and Debian Policy 5.6.12's examples.
var dpkgVectors = []struct {
	a, b string
	want int
}{
	{"1.0-1", "2.0-2", -1},
	{"2.2~rc-4", "2.2-1", -1},
	{"2.2-1", "2.2~rc-4", 1},
	{"1.0000-1", "1.0-1", 0},
	{"1", "0:1", 0},
	{"0", "0:0-0", 0},
	{"2:2.5", "1:7.5", 1},
	{"1:0foo", "0foo", 1},
	{"0:0foo", "0foo", 0},
	{"0foo", "0foo", 0},
	{"0foo-0", "0foo", 0},
	{"0foo", "0foo-0", 0},
	{"0foo", "0fo", 1},
	{"0foo-0", "0foo+", -1},
	{"0foo~1", "0foo", -1},
	{"0foo~foo+Bar", "0foo~foo+bar", -1},
	{"0foo~~", "0foo~", -1},
	{"1~", "1", -1},
	{"12345+that-really-is-some-ver-0", "12345+that-really-is-some-ver-10", -1},
	{"0foo-0", "0foo-01", -1},
	{"0foo.bar", "0foobar", 1},
	{"0foo.bar", "0foo1bar", 1},
	{"0foo.bar", "0foo0bar", 1},
	{"0foo1bar-1", "0foobar-1", -1},
	{"0foo2.0", "0foo2", 1},
	{"0foo2.0.0", "0foo2.10.0", -1},
	{"0foo2.0", "0foo2.0.0", -1},
	{"0foo2.0", "0foo2.10", -1},
	{"0foo2.1", "0foo2.10", -1},
	{"1.09", "1.9", 0},
	{"1.0.8+nmu1", "1.0.8", 1},
	{"3.11", "3.10+nmu1", 1},
	{"0.9j-20080306-4", "0.9i-20070324-2", 1},
	{"1.2.0~b7-1", "1.2.0~b6-1", 1},
	{"1.011-1", "1.06-2", 1},
	{"0.0.9+dfsg1-1", "0.0.8+dfsg1-3", 1},
	{"4.6.99+svn6582-1", "4.6.99+svn6496-1", 1},
	{"53", "52", 1},
	{"0.9.9~pre122-1", "0.9.9~pre111-1", 1},
	{"2:2.3.2-2+lenny2", "2:2.3.2-2", 1},
	{"1:3.8.1-1", "3.8.GA-1", 1},
	{"1.0.1+gpl-1", "1.0.1-2", 1},
	{"1a", "1000a", -1},
	// Debian Policy: "~~" < "~~a" < "~" < "" < "a".
	{"1.0~~", "1.0~~a", -1},
	{"1.0~~a", "1.0~", -1},
	{"1.0~", "1.0", -1},
	{"1.0", "1.0a", -1},
	// security-update shapes OSV's Debian entries carry.
	{"2.28.1+dfsg-1", "2.28.1+dfsg-1+deb12u1", -1},
	{"3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1},
	{"3.0.11-1~deb12u2", "3.0.11-1", -1},
	{"1:9.18.19-1~deb12u1", "9.18.24-1", 1},
	{"9:1.18.36:5.4-20", "10:0.5.1-22", -1},
	{"9:1.18.36:5.4-20", "9:1.18.37:4.3-22", -1},
	{"1.18.36-0.17.35-18", "1.18.37-1", -1},
	{"0:1.18.36", "1.18.36", 0},
	{"10.3", "1:0.4", -1},
	{"1.0-0ubuntu1", "1.0-1", -1},
	{"7.6p2-4", "7.6-0", 1},
}

func TestDebianOrdersDpkgsVectors(t *testing.T) {
	for _, tc := range dpkgVectors {
		c, err := CompareDebian(tc.a, tc.b)
		if err != nil || c != tc.want {
			t.Errorf("CompareDebian(%q, %q) = %d, %v; want %d", tc.a, tc.b, c, err, tc.want)
		}
		if c, _ := CompareDebian(tc.b, tc.a); c != -tc.want {
			t.Errorf("CompareDebian(%q, %q) = %d, want %d", tc.b, tc.a, c, -tc.want)
		}
	}
}

func TestDebianRejectsWhatDpkgRejects(t *testing.T) {
	for _, s := range []string{
		"", "a1", "1:", "x:1", "-1:1", "1-", "1.0 1", "1.0\n", "1.0-a b", "1.0_1", "1.0-1:2", ":1", "1.0$", "1.0-1_2",
	} {
		if _, err := ParseDebian(s); err == nil {
			t.Errorf("ParseDebian(%q) succeeded, want an error", s)
		}
	}
}

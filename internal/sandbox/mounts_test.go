package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayoutOrdersParentsFirst checks that a bind inside another is
// mounted after it, whatever order the caller gave.
func TestLayoutOrdersParentsFirst(t *testing.T) {
	code := t.TempDir()
	if err := os.Mkdir(filepath.Join(code, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ms, err := layout(Spec{Writable: []Bind{{Src: out, Dst: filepath.Join(code, "out")}}, ReadOnly: []Bind{{Src: code}}})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, m := range ms {
		pos[m.dst] = i
	}
	for _, pair := range [][2]string{{"/tmp", code}, {code, filepath.Join(code, "out")}, {"/dev", "/dev/shm"}, {"/usr", "/usr"}} {
		parent, child := pair[0], pair[1]
		if _, ok := pos[child]; !ok {
			t.Fatalf("layout has no mount at %s: %v", child, ms)
		}
		if pos[parent] > pos[child] {
			t.Errorf("%s is mounted after %s inside it", parent, child)
		}
	}
}

func TestLayoutRejectsBadBinds(t *testing.T) {
	code := t.TempDir()
	other := t.TempDir()
	file := writeFile(t, other, "f.csv", "x\n")
	tests := []struct {
		name string
		spec Spec
		want string // in the error
	}{
		{"missing source", Spec{ReadOnly: []Bind{{Src: filepath.Join(other, "nope")}}}, "no such file"},
		{"relative source", Spec{ReadOnly: []Bind{{Src: "data/in.csv"}}}, "absolute"},
		{"relative destination", Spec{ReadOnly: []Bind{{Src: file, Dst: "in.csv"}}}, "absolute"},
		{"empty source", Spec{Writable: []Bind{{Dst: "/out"}}}, "empty"},
		{"over /tmp", Spec{Writable: []Bind{{Src: other, Dst: "/tmp"}}}, "provided by the sandbox"},
		{"over the root", Spec{ReadOnly: []Bind{{Src: other, Dst: "/"}}}, "provided by the sandbox"},
		{"inside /proc", Spec{ReadOnly: []Bind{{Src: file, Dst: "/proc/cpuinfo"}}}, "private to the sandbox"},
		{"two sources, one place", Spec{ReadOnly: []Bind{{Src: file, Dst: "/in"}}, Writable: []Bind{{Src: other, Dst: "/in"}}}, "already bound"},
		{"no mount point inside read-only", Spec{ReadOnly: []Bind{{Src: code}, {Src: file, Dst: filepath.Join(code, "data", "f.csv")}}}, "create " + filepath.Join(code, "data", "f.csv")},
		{"inside a system link", Spec{ReadOnly: []Bind{{Src: file, Dst: "/bin/f.csv"}}}, "inside /bin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "inside a system link" && hostLink(t, "/bin") == "" {
				t.Skip("/bin is no link on this host")
			}
			_, err := layout(tc.spec)
			if !errors.Is(err, ErrBadBind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("layout: %v, want ErrBadBind saying %q", err, tc.want)
			}
		})
	}
	_, err := layout(Spec{ReadOnly: []Bind{{Src: filepath.Join(other, "nope")}}})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing source: %v, want fs.ErrNotExist", err)
	}
}

func TestLayoutAcceptsRepeatsAndNetwork(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		spec       Spec
		resolvConf bool
	}{
		{Spec{ReadOnly: []Bind{{Src: dir}, {Src: dir, Dst: dir}}}, false},
		{Spec{Network: true}, true},
	}
	for _, tc := range tests {
		ms, err := layout(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range ms {
			found = found || m.dst == resolvConf
		}
		if _, err := os.Stat(resolvConf); err == nil && found != tc.resolvConf {
			t.Errorf("network=%v: /etc/resolv.conf bound = %v, want %v", tc.spec.Network, found, tc.resolvConf)
		}
	}
}

func TestSystemBinds(t *testing.T) {
	binds := SystemBinds()
	has := map[string]bool{}
	for _, b := range binds {
		if b.Src != b.Dst {
			t.Errorf("system bind %s on %s: want it at its own path", b.Src, b.Dst)
		}
		has[b.Dst] = true
	}
	for _, want := range []string{"/usr", "/etc/passwd", "/etc/ld.so.cache", "/etc/ssl/certs", "/etc/hosts"} {
		if _, err := os.Lstat(want); err == nil && !has[want] {
			t.Errorf("SystemBinds lacks %s", want)
		}
	}
	for _, secret := range []string{"/etc/shadow", "/etc/ssl/private", "/etc/machine-id", "/etc/pip.conf", "/etc/resolv.conf", "/etc", "/root", "/home", "/var"} {
		if has[secret] {
			t.Errorf("SystemBinds exposes %s", secret)
		}
	}
}

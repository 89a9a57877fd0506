package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFilesystemProbes runs real commands in the sandbox and checks what a
// step can and cannot see or change.
func TestFilesystemProbes(t *testing.T) {
	needBwrap(t)
	project := t.TempDir()
	undeclared := writeFile(t, project, "data.csv", "secret,1\n")
	code := filepath.Join(project, "snapshot")
	writeFile(t, code, "train.py", "print('hi')\n")
	if err := os.Mkdir(filepath.Join(code, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	inDir := t.TempDir()
	input := writeFile(t, inDir, "in.csv", "a,b\n")
	out := t.TempDir()
	home := t.TempDir()
	secret := writeFile(t, home, "secret", "token\n")
	ro := []Bind{{Src: code}, {Src: inDir}, {Src: input, Dst: "/data/inputs/train.csv"}}
	rw := []Bind{{Src: out}, {Src: out, Dst: filepath.Join(code, "results")}}

	tests := []struct {
		name   string
		script string
		ok     bool
		stdout string // wanted in stdout
		hint   string // wanted in Explain's hint when not ok
	}{
		{"undeclared project file is absent", "cat " + undeclared, false, "", undeclared + ", which is not declared: copy it into the project"},
		{"home directory file is absent", "cat " + secret, false, "", secret + ", which is not declared"},
		{"host directories are absent", "for d in /root /home /srv /var /opt /work /mnt; do test ! -e $d || { echo $d; exit 1; }; done; echo none", true, "none", ""},
		{"declared input is readable", "cat " + input, true, "a,b", ""},
		{"input at another path is readable", "cat /data/inputs/train.csv", true, "a,b", ""},
		{"code snapshot is readable", "cat " + filepath.Join(code, "train.py"), true, "print('hi')", ""},
		{"input is read-only", "echo x > " + input, false, "", "wrote to " + input + ", which is read-only"},
		{"code snapshot is read-only", "touch " + filepath.Join(code, "new.py"), false, "", "read-only"},
		{"remount cannot make an input writable", "mount -o remount,rw,bind " + inDir + " 2>/dev/null; echo x > " + input, false, "", "read-only"},
		{"root is read-only", "touch /stray", false, "", "wrote to /stray"},
		{"output dir is writable", "echo model > " + filepath.Join(out, "model.txt") + " && cat " + filepath.Join(out, "model.txt"), true, "model", ""},
		{"writable dir inside the read-only snapshot", "echo m > " + filepath.Join(code, "results", "m.txt") + " && echo done", true, "done", ""},
		{"tmp is private and writable", "echo scratch > /tmp/probe.txt && cat /tmp/probe.txt && ls -A /tmp | grep -vx " + filepath.Base(filepath.Dir(project)) + " | grep -c . || true", true, "scratch\n1\n", ""},
		{"curated etc", "cat /etc/passwd > /dev/null && test -e /etc/ssl/certs && test ! -e /etc/shadow && test ! -e /etc/ssl/private && test ! -e /etc/resolv.conf && echo ok", true, "ok", ""},
		{"system links look like the host", "readlink /bin", true, hostLink(t, "/bin"), ""},
		{"working directory", "pwd", true, code, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Argv: []string{"/bin/sh", "-c", tc.script}, Dir: code, Env: []string{hostPath}, ReadOnly: ro, Writable: rw}
			r := run(t, Bubblewrap, spec)
			if (r.err == nil) != tc.ok {
				t.Fatalf("%q: err = %v, want ok = %v; stdout %q stderr %q", tc.script, r.err, tc.ok, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout = %q, want %q in it", r.stdout, tc.stdout)
			}
			if tc.hint != "" {
				if hint := Explain([]byte(r.stderr), spec); !strings.Contains(hint, tc.hint) {
					t.Errorf("Explain(%q) = %q, want %q in it", r.stderr, hint, tc.hint)
				}
			}
		})
	}
	if b, err := os.ReadFile(input); err != nil || string(b) != "a,b\n" {
		t.Errorf("input on the host = %q, %v; want it unchanged", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "model.txt")); err != nil || string(b) != "model\n" {
		t.Errorf("output on the host = %q, %v; want \"model\\n\"", b, err)
	}
	for _, p := range []string{filepath.Join(code, "new.py"), "/stray", "/tmp/probe.txt"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s exists on the host after the step; want the write kept inside the sandbox", p)
		}
	}
}

// hostLink returns the target of the host's link p, or skips when p is no
// link here.
func hostLink(t *testing.T, p string) string {
	target, err := os.Readlink(p)
	if err != nil {
		return "" // a real directory: the bind is checked by other probes
	}
	return target
}

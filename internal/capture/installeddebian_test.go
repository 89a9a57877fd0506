package capture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestInstalledFilesDebian checks Debian's python3 and its dpkg-installed
// packages (numpy among them) and compares what it finds for
// python3-numpy with md5sum -c over dpkg's own md5sums.
func TestInstalledFilesDebian(t *testing.T) {
	sums := "/var/lib/dpkg/info/python3-numpy.md5sums"
	if _, err := os.Stat(sums); err != nil {
		t.Skip("python3-numpy is not installed by dpkg here")
	}
	if testing.Short() {
		t.Skip("hashes every dpkg-installed Python file once")
	}
	cache := t.TempDir()
	opts := Options{Command: "/usr/bin/python3 -c pass", PATH: "/usr/bin:/bin", Env: map[string]string{"PATH": "/usr/bin:/bin"}, CacheDir: cache}
	start := time.Now()
	env, err := Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	cold := time.Since(start)
	asNewProcess()
	start = time.Now()
	if _, err := verifyInstalled(env.Interpreter, cache); err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	t.Logf("%d files of %d packages: cold capture %v, warm verification %v", env.Files.Files, env.Files.Packages, cold, warm)

	cmd := exec.Command("md5sum", "--quiet", "-c", sums)
	cmd.Dir = "/"
	out, _ := cmd.Output() // exits 1 when a file differs
	var want, got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if p, ok := strings.CutSuffix(line, ": FAILED"); ok {
			want = append(want, filepath.Join("/", p))
		}
	}
	for _, c := range env.Files.Modified {
		if c.Package == "python3-numpy" {
			got = append(got, c.Path)
		}
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("modified python3-numpy files %v; md5sum -c says %v", got, want)
	}
	n := 0
	for _, c := range env.Files.Unowned {
		if strings.HasPrefix(c, "/usr/lib/python3/dist-packages/numpy/") {
			n++
		}
	}
	if n > 0 {
		t.Errorf("%d files under numpy/ listed as unowned: %v", n, env.Files.Unowned)
	}
}

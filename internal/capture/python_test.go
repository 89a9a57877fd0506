package capture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const debianPython = "/usr/bin/python3"

// needDebianPython skips a test when Debian's interpreter is missing.
func needDebianPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		t.Skipf("%s is not installed (apt-get install python3)", debianPython)
	}
}

func TestCapturePythonPackagesMatchInterpreter(t *testing.T) {
	needDebianPython(t)
	out, err := exec.Command(debianPython, "-c", "import numpy, sklearn; print(numpy.__version__, sklearn.__version__)").Output()
	if err != nil {
		t.Skipf("%s lacks numpy or scikit-learn (apt-get install python3-sklearn): %v", debianPython, err)
	}
	want := strings.Fields(string(out))
	env, err := Capture(context.Background(), Options{Command: debianPython + " train.py", Env: map[string]string{"PATH": "/usr/bin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	in := env.Interpreter
	if in == nil || in.Kind != "python" || in.Prefix != "/usr" || !strings.HasPrefix(in.Version, "3.") {
		t.Fatalf("interpreter %+v", in)
	}
	for i, name := range []string{"numpy", "scikit-learn"} {
		p := findPackage(in.Packages, name)
		if p == nil || p.Version != want[i] {
			t.Errorf("package %s recorded as %+v, the interpreter imports %s", name, p, want[i])
		}
	}
	if !slices.IsSortedFunc(in.Packages, func(a, b Package) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("packages are not sorted by name")
	}
}

// writeDist creates a metadata file at dir/rel holding Name and Version.
func writeDist(t *testing.T, dir, rel, name, version string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	text := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nSummary: test\n\nlong description\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCapturePythonPathShadowing(t *testing.T) {
	needDebianPython(t)
	tmp := t.TempDir()
	first, second, egg := filepath.Join(tmp, "first"), filepath.Join(tmp, "second"), filepath.Join(tmp, "second", "Eggy-0.3-py3.egg")
	writeDist(t, first, "Foo_Bar-1.0.dist-info/METADATA", "Foo_Bar", "1.0")
	writeDist(t, first, "numpy-0.0.1.dist-info/METADATA", "numpy", "0.0.1") // shadows the system's numpy
	writeDist(t, first, "oldstyle-0.5-py3.11.egg-info/PKG-INFO", "OldStyle", "0.5")
	writeDist(t, first, "flat-2.0-py3.11.egg-info", "flat", "2.0")
	writeDist(t, second, "foo.bar-2.0.dist-info/METADATA", "foo.bar", "2.0")
	writeDist(t, second, "Only_Second-3.1.dist-info/METADATA", "Only-Second", "3.1")
	if err := os.MkdirAll(filepath.Join(second, "nometa-4.2.dist-info"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeDist(t, egg, "EGG-INFO/PKG-INFO", "Eggy", "0.3")
	opts := Options{Command: "PYTHONNOUSERSITE=1 python3 train.py", PATH: "/usr/bin:/bin",
		Env: map[string]string{"PYTHONPATH": first + ":" + second + ":" + egg}}

	env, err := Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	in := env.Interpreter
	if i, j := slices.Index(in.Paths, first), slices.Index(in.Paths, second); i < 0 || j != i+1 {
		t.Errorf("paths %v: want %s then %s", in.Paths, first, second)
	}
	want := map[string]string{"foo-bar": "1.0", "numpy": "0.0.1", "oldstyle": "0.5", "flat": "2.0", "only-second": "3.1", "nometa": "4.2", "eggy": "0.3"}
	for name, version := range want {
		if p := findPackage(in.Packages, name); p == nil || p.Version != version {
			t.Errorf("package %s: got %+v, want version %s", name, p, version)
		}
	}
	for i := 1; i < len(in.Packages); i++ {
		if in.Packages[i-1].Name >= in.Packages[i].Name {
			t.Errorf("package %q listed after %q: not sorted or duplicated", in.Packages[i].Name, in.Packages[i-1].Name)
		}
	}

	// Installing into a sys.path directory shows in the next capture.
	time.Sleep(10 * time.Millisecond) // let the directory's mtime move on coarse clocks
	writeDist(t, second, "requests-2.31.0.dist-info/METADATA", "requests", "2.31.0")
	env, err = Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := findPackage(env.Interpreter.Packages, "requests"); p == nil || p.Version != "2.31.0" {
		t.Errorf("newly installed requests not seen: %+v", p)
	}

	// "python3 -E" ignores PYTHONPATH, and so does the record.
	flagged := opts
	flagged.Command = "python3 -E train.py"
	env, err = Capture(context.Background(), flagged)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(env.Interpreter.Paths, first) || findPackage(env.Interpreter.Packages, "foo-bar") != nil {
		t.Errorf("python3 -E: PYTHONPATH entries recorded: %v", env.Interpreter.Paths)
	}

	// A different PYTHONPATH is a different sys.path.
	opts.Env = map[string]string{"PYTHONPATH": second}
	env, err = Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := findPackage(env.Interpreter.Packages, "foo-bar"); p == nil || p.Version != "2.0" {
		t.Errorf("with only %s on PYTHONPATH foo-bar is %+v, want 2.0", second, p)
	}
}

// forgetPython empties the per-process caches of interpreter answers and
// site directories, so the next capture reads everything again.
func forgetPython() {
	pyCache.Lock()
	pyCache.m = map[string]pyInfo{}
	pyCache.Unlock()
	siteCache.Lock()
	siteCache.m = map[string]cachedSite{}
	siteCache.Unlock()
}

// BenchmarkCapturePython measures a capture of "python3 train.py" with
// Debian's interpreter: "warm" with the per-process caches filled (the
// usual case from the second task on), "cold" with them emptied, which
// runs the interpreter and reads every METADATA file. Compare cold with
// `time /usr/bin/python3 -m pip list`, which reads the same metadata.
func BenchmarkCapturePython(b *testing.B) {
	if _, err := os.Stat(debianPython); err != nil {
		b.Skipf("%s is not installed", debianPython)
	}
	opts := Options{Command: debianPython + " train.py", Env: map[string]string{"PATH": "/usr/bin:/bin", "HOME": b.TempDir()}}
	for _, warm := range []bool{true, false} {
		name := map[bool]string{true: "warm", false: "cold"}[warm]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if !warm {
					forgetPython()
				}
				if _, err := Capture(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package capture

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestCaptureHost(t *testing.T) {
	env, err := Capture(context.Background(), Options{Command: "true", Env: map[string]string{"PATH": "/usr/bin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	if env.Type != EnvironmentType || env.Kernel == "" || env.Arch == "" || env.CPU.Cores <= 0 || env.Memory <= 0 || len(env.CPU.Flags) == 0 {
		t.Errorf("incomplete host facts: %+v", env)
	}
	if env.Interpreter != nil {
		t.Errorf("interpreter %+v recorded for a command without one", env.Interpreter)
	}
	if env.OS.ID != "debian" {
		t.Skipf("the remaining checks expect Debian; this host is %q", env.OS.ID)
	}
	out, err := exec.Command("ldd", "--version").Output()
	if err != nil {
		t.Fatalf("ldd --version: %v", err)
	}
	first := strings.Fields(strings.SplitN(string(out), "\n", 2)[0])
	if want := first[len(first)-1]; env.Libc.Kind != "glibc" || env.Libc.Version != want {
		t.Errorf("libc %+v, ldd says glibc %s", env.Libc, want)
	}
	if env.OSPackages == nil || env.OSPackages.Manager != "dpkg" {
		t.Fatalf("os packages %+v, want dpkg's", env.OSPackages)
	}
	if p := findPackage(env.OSPackages.Packages, "bash"); p == nil || p.Version == "" {
		t.Errorf("dpkg packages lack bash")
	}
}

func TestCaptureIsDeterministic(t *testing.T) {
	opts := Options{Command: "true", Env: map[string]string{"PATH": "/usr/bin", "LANG": "C.UTF-8"}}
	var digests []core.Digest
	for range 2 {
		env, err := Capture(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		_, d, err := core.DigestJSON(env)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	if digests[0] != digests[1] {
		t.Errorf("two captures of the same step differ: %s, %s", digests[0], digests[1])
	}
}

func TestCaptureLeavesOutStepContract(t *testing.T) {
	opts := Options{Command: "true", Env: map[string]string{"PATH": "/usr/bin", "LOCKSTEP_OUTPUT_DIR": "/tmp/task-1/out", "PYTHONHASHSEED": "42"}}
	env, err := Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"PATH": "/usr/bin", "PYTHONHASHSEED": "42"}; !reflect.DeepEqual(env.Env, want) {
		t.Errorf("recorded env %v, want %v", env.Env, want)
	}
}

func TestCaptureNeverRecordsSecrets(t *testing.T) {
	opts := Options{Command: "true", Env: map[string]string{
		"PATH": "/usr/bin", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value-1", "HF_TOKEN": "s3cr3t-value-2",
		"HTTPS_PROXY": "http://bob:s3cr3t-value-3@proxy:3128",
	}}
	env, err := Capture(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := core.CanonicalJSON(env)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("s3cr3t")) {
		t.Errorf("a secret reached the record: %s", b[bytes.Index(b, []byte(`"env"`)):])
	}
	if opts.Env["HF_TOKEN"] != "s3cr3t-value-2" {
		t.Error("Capture changed the caller's environment")
	}
}

func TestEnvironmentGolden(t *testing.T) {
	env := &Environment{
		Type: EnvironmentType, OS: OSInfo{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"},
		Kernel: "6.1.0-18-amd64", Arch: "x86_64", Libc: Libc{Kind: "glibc", Version: "2.36"},
		CPU:    CPU{Model: "AMD EPYC 7B13", Cores: 8, Flags: []string{"avx2", "sse4_2"}},
		Memory: 32 << 30,
		GPUs:   []GPU{{Name: "NVIDIA A100-SXM4-80GB", Driver: "535.129.03", MemoryBytes: 81920 << 20, UUID: "GPU-1b2c"}},
		Interpreter: &Interpreter{Kind: "python", Path: "/usr/bin/python3.11", Version: "3.11.2", Prefix: "/usr",
			Paths: []string{"/usr/lib/python3.11", "/usr/lib/python3/dist-packages"}, Packages: []Package{{Name: "numpy", Version: "1.24.2"}}},
		OSPackages: &PackageSet{Manager: "dpkg", Packages: []Package{{Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"}}},
		Env:        Secrets{}.Redact(map[string]string{"PATH": "/usr/bin", "WANDB_API_KEY": "k"}),
	}
	got, err := core.CanonicalJSON(env)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "environment.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
		t.Errorf("environment record changed format (run go test -update if intended)\ngot  %s\nwant %s", got, want)
	}
}

func findPackage(pkgs []Package, name string) *Package {
	for i := range pkgs {
		if pkgs[i].Name == name {
			return &pkgs[i]
		}
	}
	return nil
}

func BenchmarkCapture(b *testing.B) {
	opts := Options{Command: "true", Env: map[string]string{"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}}
	if _, err := Capture(context.Background(), opts); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Capture(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

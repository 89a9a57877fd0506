package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// fakeRoot writes files (path → contents; contents "->target" makes a
// symbolic link) under a temporary root.
func fakeRoot(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(body, "->"); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// ldCacheBytes writes a glibc ld.so.cache holding entries (soname, path),
// in the new format, preceded by the old table when compat is set.
func ldCacheBytes(entries [][2]string, compat bool) []byte {
	var strs bytes.Buffer
	type off struct{ key, value uint32 }
	offs := make([]off, len(entries))
	base := uint32(ldNewHeader + len(entries)*ldNewEntry)
	for i, e := range entries {
		offs[i].key = base + uint32(strs.Len())
		strs.WriteString(e[0] + "\x00")
		offs[i].value = base + uint32(strs.Len())
		strs.WriteString(e[1] + "\x00")
	}
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString(ldNewMagic)
	b.Write(le.AppendUint32(nil, uint32(len(entries))))
	b.Write(le.AppendUint32(nil, uint32(strs.Len())))
	b.Write([]byte{2, 0, 0, 0})
	b.Write(make([]byte, 16))
	for _, o := range offs {
		b.Write(le.AppendUint32(nil, 0x0303))
		b.Write(le.AppendUint32(nil, o.key))
		b.Write(le.AppendUint32(nil, o.value))
		b.Write(make([]byte, 12))
	}
	b.Write(strs.Bytes())
	if !compat {
		return b.Bytes()
	}
	var old bytes.Buffer
	old.WriteString(ldOldMagic + "\x00")
	old.Write(le.AppendUint32(nil, 3))
	old.Write(make([]byte, 3*ldOldEntry))
	for old.Len()%8 != 0 {
		old.WriteByte(0)
	}
	return append(old.Bytes(), b.Bytes()...)
}

const (
	procVersion = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.129.03  Thu Oct 19 18:56:32 UTC 2023\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n"
	cudnnHeader = "#ifndef CUDNN_VERSION_H_\n#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 2\n#define CUDNN_VERSION (CUDNN_MAJOR * 1000)\n"
	versionJSON = `{"cuda": {"name": "CUDA SDK", "version": "12.2.2"}, "cuda_cudart": {"name": "CUDA Runtime (cudart)", "version": "12.2.140"}}`
)

// gpuMachine is a root with a driver, a CUDA 12.2 toolkit (and the usual
// /usr/local/cuda link to it), cuDNN and libcuda in the multiarch folder,
// and a loader cache naming them.
func gpuMachine(t testing.TB) string {
	t.Helper()
	lib := "/usr/lib/x86_64-linux-gnu/"
	root := fakeRoot(t, map[string]string{
		"/proc/driver/nvidia/version":                                        procVersion,
		"/usr/local/cuda-12.2/version.json":                                  versionJSON,
		"/usr/local/cuda-12.2/lib64/libcudart.so.12.2.140":                   "elf",
		"/usr/local/cuda-12.2/lib64/libcudart.so.12":                         "->libcudart.so.12.2.140",
		"/usr/local/cuda-12.2/lib64/libcudart_static.a":                      "ar",
		"/usr/local/cuda-12.2/include/cudnn_version.h":                       cudnnHeader,
		"/usr/local/cuda":                                                    "->cuda-12.2",
		lib + "libcudnn.so.8.9.2":                                            "elf",
		lib + "libcudnn.so.8":                                                "->libcudnn.so.8.9.2",
		lib + "libcudnn_ops_infer.so.8":                                      "elf",
		lib + "libcuda.so.535.129.03":                                        "elf",
		lib + "libcuda.so.1":                                                 "->" + lib + "libcuda.so.535.129.03",
		"/usr/local/cuda-11.8/version.txt":                                   "CUDA Version 11.8.89\n",
		"/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudart.so.11.8.89": "elf",
		"/usr/local/cuda-11.8/lib64":                                         "->targets/x86_64-linux/lib",
	})
	cache := ldCacheBytes([][2]string{
		{"libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6"},
		{"libcudnn_ops_infer.so.8", lib + "libcudnn_ops_infer.so.8"},
		{"libcudnn.so.8", lib + "libcudnn.so.8"},
		{"libcudart.so.12", "/usr/local/cuda/lib64/libcudart.so.12"},
		{"libcuda.so.1", lib + "libcuda.so.1"},
	}, false)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "etc", "ld.so.cache"), cache, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestGPUSoftwareFixture(t *testing.T) {
	root := gpuMachine(t)
	got, read := scanGPUSoftware(root)
	lib := "/usr/lib/x86_64-linux-gnu/"
	want := GPUSoftware{
		Driver: "535.129.03",
		Toolkits: []CUDAToolkit{
			{Path: "/usr/local/cuda-11.8", Version: "11.8.89"},
			{Path: "/usr/local/cuda-12.2", Version: "12.2.2"},
		},
		Libraries: []GPULibrary{
			{Name: "cuda-driver", Version: "535.129.03", Source: "ld.so.cache", Path: lib + "libcuda.so.535.129.03"},
			{Name: "cuda-runtime", Version: "11.8.89", Source: "toolkit", Path: "/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudart.so.11.8.89"},
			{Name: "cuda-runtime", Version: "12.2.140", Source: "ld.so.cache", Path: "/usr/local/cuda-12.2/lib64/libcudart.so.12.2.140"},
			{Name: "cudnn", Version: "8.9.2", Source: "ld.so.cache", Path: lib + "libcudnn.so.8.9.2"},
			{Name: "cudnn", Version: "8.9.2", Source: "header", Path: "/usr/local/cuda-12.2/include/cudnn_version.h"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("found\n%s\nwant\n%s", g, w)
	}
	for _, p := range read {
		if !strings.HasPrefix(p, root) {
			t.Errorf("read %s, outside the root", p)
		}
	}
}

func TestGPUSoftwareCompatCacheAndNoCache(t *testing.T) {
	lib := "/usr/lib/x86_64-linux-gnu/"
	files := map[string]string{
		"/sys/module/nvidia/version": "550.54.14\n",
		lib + "libcudart.so.11.8.89": "elf",
		lib + "libcudart.so.11.0":    "->libcudart.so.11.8.89",
	}
	root := fakeRoot(t, files)
	got, _ := scanGPUSoftware(root)
	want := GPUSoftware{Driver: "550.54.14", Libraries: []GPULibrary{{Name: "cuda-runtime", Version: "11.8.89", Source: "lib-dir", Path: lib + "libcudart.so.11.8.89"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("without a loader cache: %+v, want %+v", got, want)
	}
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "ld.so.cache"), ldCacheBytes([][2]string{{"libcudart.so.11.0", lib + "libcudart.so.11.0"}}, true), 0o644)
	got, _ = scanGPUSoftware(root)
	want.Libraries[0].Source = "ld.so.cache"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with a compat-format loader cache: %+v, want %+v", got, want)
	}
}

// TestLDCacheOfThisMachine reads the real loader cache and checks it
// lists as many libraries as ldconfig -p says, libc among them.
func TestLDCacheOfThisMachine(t *testing.T) {
	entries, err := readLDCache("/etc/ld.so.cache")
	if os.IsNotExist(err) {
		t.Skip("no /etc/ld.so.cache on this machine")
	}
	if err != nil {
		t.Fatal(err)
	}
	libc := false
	for _, e := range entries {
		libc = libc || e.Name == "libc.so.6" && filepath.IsAbs(e.Path)
	}
	if !libc {
		t.Errorf("libc.so.6 is not among the %d entries", len(entries))
	}
	ldconfig, err := exec.LookPath("ldconfig")
	if err != nil {
		if ldconfig, err = exec.LookPath("/sbin/ldconfig"); err != nil {
			return
		}
	}
	out, err := exec.Command(ldconfig, "-p").Output()
	if err != nil {
		t.Fatalf("ldconfig -p: %v", err)
	}
	m := regexp.MustCompile(`^(\d+) libs found`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("ldconfig -p says %q", out[:min(len(out), 80)])
	}
	if n, _ := strconv.Atoi(string(m[1])); n != len(entries) {
		t.Errorf("%d entries read, ldconfig -p lists %d", len(entries), n)
	}
}

// TestGPUSoftwareThisMachine: this machine has no GPU stack, so nothing is
// found and nothing is added to its environment record.
func TestGPUSoftwareThisMachine(t *testing.T) {
	if _, err := os.Stat("/proc/driver/nvidia/version"); err == nil {
		t.Skip("this machine has an NVIDIA driver")
	}
	if m, _ := filepath.Glob("/usr/local/cuda*"); len(m) > 0 {
		t.Skip("this machine has a CUDA toolkit")
	}
	got, _ := scanGPUSoftware("/")
	if !got.empty() {
		t.Fatalf("found %+v on a machine without a GPU stack", got)
	}
	env, err := Capture(context.Background(), Options{Command: "true", PATH: "/usr/bin:/bin", Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	if env.GPUSoftware != nil || bytes.Contains(b, []byte("gpu_software")) {
		t.Errorf("environment record has gpu_software: %+v", env.GPUSoftware)
	}
}

func TestGPUSoftwareHostile(t *testing.T) {
	lib := "/usr/lib/"
	root := fakeRoot(t, map[string]string{
		"/proc/driver/nvidia/version":                  "NVRM version: NVIDIA UNIX x86_64 Kernel Module  $(reboot)  \n",
		"/sys/module/nvidia/version":                   strings.Repeat("9", 3<<20),
		"/usr/local/cuda-12.2/version.json":            `{"cuda": {"version": "12.2\n<script>"}}`,
		"/usr/local/cuda-12.2/include/cudnn_version.h": "#define CUDNN_MAJOR 99999999999\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n",
		"/usr/local/cuda-loop":                         "->cuda-loop",
		lib + "libcudart.so.12.x;rm -rf":               "elf",
		lib + "libcudnn.so.8":                          "->libcudnn.so.8",
		lib + "libcuda.so.1":                           "->/../../../../etc/passwd",
	})
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	// A cache whose entry count runs past its end: read as no cache.
	bad := ldCacheBytes([][2]string{{"libcudart.so.12", lib + "libcudart.so.12"}}, false)
	binary.LittleEndian.PutUint32(bad[ldNlibsOffset:], 1<<30)
	os.WriteFile(filepath.Join(root, "etc", "ld.so.cache"), bad, 0o644)
	start := time.Now()
	got, _ := scanGPUSoftware(root)
	if !got.empty() {
		t.Errorf("found %+v in garbage", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	// A loader cache past the size limit is refused without being read whole.
	big := filepath.Join(root, "etc", "ld.so.cache")
	if err := os.Truncate(big, maxLDCache+1); err != nil {
		t.Fatal(err)
	}
	if _, err := readLDCache(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a %d-byte loader cache: %v", maxLDCache+1, err)
	}
}

func TestLDCacheCorrupt(t *testing.T) {
	good := ldCacheBytes([][2]string{{"libcudnn.so.8", "/usr/lib/libcudnn.so.8"}}, false)
	outside := bytes.Clone(good)
	binary.LittleEndian.PutUint32(outside[ldNewHeader+ldEntryPathOff:], uint32(len(good)+10))
	unterminated := good[:len(good)-1]
	for name, b := range map[string][]byte{
		"empty": nil, "other file": []byte("\x7fELF"), "truncated header": good[:30],
		"string outside": outside, "unterminated string": unterminated,
		"old table only": append([]byte(ldOldMagic+"\x00"), 0, 0, 0, 0),
	} {
		if e, err := parseLDCache(b); err == nil {
			t.Errorf("%s: read as %v", name, e)
		}
	}
	if e, err := parseLDCache(good); err != nil || len(e) != 1 || e[0] != (ldEntry{"libcudnn.so.8", "/usr/lib/libcudnn.so.8"}) {
		t.Errorf("good cache: %v %v", e, err)
	}
}

func TestInterpreterGPU(t *testing.T) {
	site := fakeRoot(t, map[string]string{
		"torch/version.py": "from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n" +
			"__version__ = '2.1.0+cu121'\ndebug = False\ncuda: Optional[str] = '12.1'\ngit_version = '7bcf7da3a268b435777fe87c7794c382f444e86d'\nhip: Optional[str] = None\n",
		"tensorflow/python/platform/build_info.py": "import collections\n\nbuild_info = collections.OrderedDict({'cpu_compiler': '/usr/bin/clang-17', 'cuda_compute_capabilities': ['sm_60'], 'cuda_version': '12.3', 'cudnn_version': '8', 'is_cuda_build': True})\n",
	})
	shadowed := fakeRoot(t, map[string]string{"torch/version.py": "cuda = '99.9'\n"})
	in := &Interpreter{Paths: []string{filepath.Join(site, "missing"), site, shadowed}, Packages: []Package{
		{Name: "nvidia-cuda-runtime-cu12", Version: "12.1.105"}, {Name: "nvidia-cudnn-cu12", Version: "8.9.2.26"},
		{Name: "nvidia-cudnn-cu11", Version: "not a version"}, {Name: "nvidia-nccl-cu12", Version: "2.18.1"},
		{Name: "tensorflow", Version: "2.16.1"}, {Name: "torch", Version: "2.1.0+cu121"},
	}}
	host := GPUSoftware{Driver: "535.129.03"}
	got := withInterpreterGPU(host, nil, in)
	want := &GPUSoftware{Driver: "535.129.03",
		Libraries: []GPULibrary{
			{Name: "cuda-runtime", Version: "12.1.105", Source: "pip", Path: "nvidia-cuda-runtime-cu12"},
			{Name: "cudnn", Version: "8.9.2.26", Source: "pip", Path: "nvidia-cudnn-cu12"},
		},
		Builds: []FrameworkBuild{{Package: "tensorflow", CUDA: "12.3", CuDNN: "8"}, {Package: "torch", CUDA: "12.1"}},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("found\n%s", g)
	}
	// A CPU build of torch on a machine without a GPU stack: nothing.
	cpu := fakeRoot(t, map[string]string{"torch/version.py": "__version__ = '2.1.0+cpu'\ncuda: Optional[str] = None\nhip: Optional[str] = None\n"})
	if got := withInterpreterGPU(GPUSoftware{}, nil, &Interpreter{Paths: []string{cpu}, Packages: []Package{{Name: "torch", Version: "2.1.0+cpu"}}}); got != nil {
		t.Errorf("CPU build: %+v", got)
	}
	if got := withInterpreterGPU(GPUSoftware{}, nil, nil); got != nil {
		t.Errorf("no interpreter, no host stack: %+v", got)
	}
}

// TestGPUSoftwareRemembered: the answer is kept while the files it was
// read from stay the same, and asked again when one changes.
func TestGPUSoftwareRemembered(t *testing.T) {
	root := gpuMachine(t)
	c := hostcache.Open("")
	first := hostGPUSoftware(c, root)
	if first.Driver != "535.129.03" || len(first.Toolkits) != 2 {
		t.Fatalf("first answer %+v", first)
	}
	var kept GPUSoftware
	if !c.Get("gpu-software\x00"+root, &kept) || !reflect.DeepEqual(kept, first) {
		t.Errorf("the answer is not remembered: %+v", kept)
	}
	// Same files: the remembered answer.
	if again := hostGPUSoftware(c, root); !reflect.DeepEqual(again, first) {
		t.Errorf("second answer %+v", again)
	}
	vj := filepath.Join(root, "usr/local/cuda-12.2/version.json")
	if err := os.WriteFile(vj, []byte(strings.Replace(versionJSON, "12.2.2", "12.2.10", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := hostGPUSoftware(c, root); got.Toolkits[1].Version != "12.2.10" {
		t.Errorf("after version.json changed: %+v", got.Toolkits)
	}
	os.MkdirAll(filepath.Join(root, "usr/local/cuda-12.4"), 0o755)
	os.WriteFile(filepath.Join(root, "usr/local/cuda-12.4/version.json"), []byte(`{"cuda": {"version": "12.4.1"}}`), 0o644)
	if got := hostGPUSoftware(c, root); len(got.Toolkits) != 3 {
		t.Errorf("after a toolkit was added: %+v", got.Toolkits)
	}
}

// TestLibraryPath: the folders of the step's LD_LIBRARY_PATH that it can
// see are searched; relative ones and hidden ones are not, and the host's
// libraries and toolkits a confined step cannot see are left out.
func TestLibraryPath(t *testing.T) {
	dir := fakeRoot(t, map[string]string{
		"seen/libcudart.so.12.4.127": "elf", "seen/libcudart.so.12": "->libcudart.so.12.4.127",
		"hidden/libcudnn.so.9.1.0": "elf",
	})
	seen, hidden := filepath.Join(dir, "seen"), filepath.Join(dir, "hidden")
	opts := Options{Env: map[string]string{"LD_LIBRARY_PATH": "lib:" + seen + "::" + hidden}, Visible: []string{seen}}
	host := GPUSoftware{Driver: "535.129.03", Toolkits: []CUDAToolkit{{Path: "/opt/cuda", Version: "12.2.2"}},
		Libraries: []GPULibrary{{Name: "cudnn", Version: "8.9.2", Source: "ld.so.cache", Path: "/opt/cudnn/libcudnn.so.8.9.2"}}}
	got := stepGPUSoftware(host, opts, nil)
	want := &GPUSoftware{Driver: "535.129.03", Libraries: []GPULibrary{{Name: "cuda-runtime", Version: "12.4.127", Source: "LD_LIBRARY_PATH", Path: filepath.Join(seen, "libcudart.so.12.4.127")}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("found %+v, want %+v", got, want)
	}
	opts.Visible = nil
	if got := stepGPUSoftware(host, opts, nil); got == nil || len(got.Libraries) != 3 || len(got.Toolkits) != 1 {
		t.Errorf("unconfined: %+v", got)
	}
}

// BenchmarkGPUSoftware measures finding the GPU software of a machine with
// a driver, two toolkits and a loader cache: scanning it, and the answer
// a new process gets from the host cache's folder (what each task executor
// pays).
func BenchmarkGPUSoftware(b *testing.B) {
	root := gpuMachine(b)
	past := time.Now().Add(-time.Hour)
	filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, past, past) })
	b.Run("scan", func(b *testing.B) {
		for range b.N {
			scanGPUSoftware(root)
		}
	})
	dir := b.TempDir()
	hostGPUSoftware(hostcache.Open(dir), root)
	b.Run("remembered", func(b *testing.B) {
		for range b.N {
			if sw := hostGPUSoftware(hostcache.Open(dir), root); sw.Driver == "" {
				b.Fatal("no driver")
			}
		}
	})
}

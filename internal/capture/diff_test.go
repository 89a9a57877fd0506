package capture

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	base := func() *Environment {
		return &Environment{
			Type: EnvironmentType, OS: OSInfo{ID: "debian", VersionID: "12"}, Kernel: "6.1.0-18-amd64", Arch: "x86_64",
			Libc: Libc{Kind: "glibc", Version: "2.36"}, CPU: CPU{Model: "AMD EPYC 7B13", Cores: 8, Flags: []string{"avx2", "sse4_2"}},
			Memory: 32 << 30,
			Interpreter: &Interpreter{Kind: "python", Path: "/usr/bin/python3.11", Version: "3.11.2", Prefix: "/usr",
				Packages: []Package{{Name: "numpy", Version: "1.24.2"}, {Name: "six", Version: "1.16.0"}}},
			OSPackages: &PackageSet{Manager: "dpkg", Packages: []Package{{Name: "libc6", Version: "2.36-9", Arch: "amd64"}}},
			Env:        map[string]string{"OMP_NUM_THREADS": "4", "LANG": "C.UTF-8"},
		}
	}
	tests := []struct {
		name    string
		change  func(e *Environment)
		want    []Change
		strings []string
	}{
		{"identical", func(*Environment) {}, nil, nil},
		{"python packages", func(e *Environment) {
			e.Interpreter.Packages = []Package{{Name: "numpy", Version: "1.26.4"}, {Name: "requests", Version: "2.31.0"}}
		}, []Change{
			{"python package numpy", "1.24.2", "1.26.4"},
			{"python package requests", "", "2.31.0"},
			{"python package six", "1.16.0", ""},
		}, []string{"numpy 1.24.2 -> 1.26.4", "+ requests 2.31.0", "- six 1.16.0"}},
		{"libc and kernel", func(e *Environment) {
			e.Libc.Version = "2.38"
			e.Kernel = "6.5.0-1-amd64"
		}, []Change{{"kernel", "6.1.0-18-amd64", "6.5.0-1-amd64"}, {"libc", "glibc 2.36", "glibc 2.38"}},
			[]string{"kernel 6.1.0-18-amd64 -> 6.5.0-1-amd64", "libc glibc 2.36 -> glibc 2.38"}},
		{"env vars", func(e *Environment) {
			e.Env = map[string]string{"OMP_NUM_THREADS": "8", "CUDA_VISIBLE_DEVICES": ""}
		}, []Change{{"env CUDA_VISIBLE_DEVICES", "", `""`}, {"env LANG", "C.UTF-8", ""}, {"env OMP_NUM_THREADS", "4", "8"}},
			[]string{`+ env CUDA_VISIBLE_DEVICES ""`, "- env LANG C.UTF-8", "env OMP_NUM_THREADS 4 -> 8"}},
		{"machine", func(e *Environment) {
			e.CPU = CPU{Model: "Intel Xeon", Cores: 8, Flags: []string{"avx2", "avx512f"}}
			e.OSPackages.Packages[0].Version = "2.36-9+deb12u4"
			e.Interpreter = nil
		}, []Change{
			{"cpu flags", "", "avx512f"}, {"cpu flags", "sse4_2", ""}, {"cpu model", "AMD EPYC 7B13", "Intel Xeon"},
			{"os package libc6", "2.36-9", "2.36-9+deb12u4"},
			{"python", "3.11.2", ""}, {"python package numpy", "1.24.2", ""}, {"python package six", "1.16.0", ""},
			{"python path", "/usr/bin/python3.11", ""}, {"python prefix", "/usr", ""},
		}, nil},
		{"gpu software", func(e *Environment) {
			e.GPUSoftware = &GPUSoftware{Driver: "550.54.14", Toolkits: []CUDAToolkit{{Path: "/usr/local/cuda-12.4", Version: "12.4.1"}},
				Libraries: []GPULibrary{{Name: "cudnn", Version: "9.1.0", Source: "ld.so.cache", Path: "/usr/lib/libcudnn.so.9.1.0"}},
				Builds:    []FrameworkBuild{{Package: "torch", CUDA: "12.4", HIP: ""}}}
		}, []Change{
			{"cuda toolkit /usr/local/cuda-12.4", "", "12.4.1"}, {"framework build torch", "", "cuda 12.4"},
			{"gpu library cudnn /usr/lib/libcudnn.so.9.1.0", "", "9.1.0"}, {"nvidia driver", "", "550.54.14"},
		}, []string{"+ cuda toolkit /usr/local/cuda-12.4 12.4.1", "+ framework build torch cuda 12.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(b)
			got := Diff(a, b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			for i, s := range tt.strings {
				if got[i].String() != s {
					t.Errorf("change %d reads %q, want %q", i, got[i].String(), s)
				}
			}
			if back := Diff(b, a); len(back) != len(got) {
				t.Errorf("reverse diff has %d changes, forward %d", len(back), len(got))
			}
		})
	}
}

func TestDiffMultiarchAndNil(t *testing.T) {
	a := &Environment{OSPackages: &PackageSet{Manager: "dpkg", Packages: []Package{{"libc6", "2.36-9", "amd64"}, {"libc6", "2.36-9", "i386"}}}}
	b := &Environment{OSPackages: &PackageSet{Manager: "dpkg", Packages: []Package{{"libc6", "2.36-9", "amd64"}, {"libc6", "2.36-10", "i386"}}}}
	want := []Change{{"os package libc6:i386", "2.36-9", "2.36-10"}}
	if got := Diff(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Diff(nil, &Environment{Kernel: "6.1"}); !reflect.DeepEqual(got, []Change{{"kernel", "", "6.1"}}) {
		t.Errorf("diff from nil: %q", got)
	}
}

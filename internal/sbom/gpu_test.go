package sbom

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// gpuEnv is an environment of a machine with a GPU: its driver, a CUDA
// toolkit holding the runtime, cuDNN from the loader and from its header,
// NVIDIA's pip wheels and a CUDA build of torch.
func gpuEnv() *capture.Environment {
	return &capture.Environment{Type: capture.EnvironmentType, OS: capture.OSInfo{ID: "debian", VersionID: "12"},
		CPU:  capture.CPU{Model: "AMD EPYC", Cores: 8},
		GPUs: []capture.GPU{{Name: "NVIDIA A100-SXM4-80GB", Driver: "535.129.03", MemoryBytes: 80 << 30, UUID: "GPU-5a1b"}},
		Interpreter: &capture.Interpreter{Kind: "python", Version: "3.11.2", Packages: []capture.Package{
			{Name: "nvidia-cudnn-cu12", Version: "8.9.2.26"}, {Name: "torch", Version: "2.1.0+cu121"}}},
		GPUSoftware: &capture.GPUSoftware{Driver: "535.129.03",
			Toolkits: []capture.CUDAToolkit{{Path: "/usr/local/cuda-12.2", Version: "12.2.2"}},
			Libraries: []capture.GPULibrary{
				{Name: "cuda-runtime", Version: "12.2.140", Source: "ld.so.cache", Path: "/usr/local/cuda-12.2/lib64/libcudart.so.12.2.140"},
				{Name: "cudnn", Version: "8.9.2", Source: "ld.so.cache", Path: "/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2"},
				{Name: "cudnn", Version: "8.9.2", Source: "header", Path: "/usr/include/cudnn_version.h"},
				{Name: "cudnn", Version: "8.9.2.26", Source: "pip", Path: "nvidia-cudnn-cu12"},
			},
			Builds: []capture.FrameworkBuild{{Package: "torch", CUDA: "12.1"}}},
	}
}

// bothSBOMs renders env as CycloneDX, validated against its schema, and
// as SPDX, checked.
func bothSBOMs(t *testing.T, env *capture.Environment) (cdxDoc, spdxDoc) {
	t.Helper()
	_, d, _ := core.DigestJSON(env)
	b, err := CycloneDX(env, d)
	if err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, b)
	var doc cdxDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s, err := SPDX(env, d, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return doc, checkSPDX(t, s)
}

func TestGPUSoftwareSBOM(t *testing.T) {
	doc, spdx := bothSBOMs(t, gpuEnv())
	type seen struct {
		typ   string
		props map[string][]string
	}
	byPURL := map[string]seen{}
	byRef := map[string]string{}
	for _, c := range doc.Components {
		props := map[string][]string{}
		for _, p := range c.Properties {
			props[p.Name] = append(props[p.Name], p.Value)
		}
		byPURL[c.PURL] = seen{c.Type, props}
		byRef[c.Ref] = c.PURL
	}
	for purl, typ := range map[string]string{
		"pkg:generic/nvidia/driver@535.129.03":     "device-driver",
		"pkg:generic/nvidia/cuda-toolkit@12.2.2":   "framework",
		"pkg:generic/nvidia/cuda-runtime@12.2.140": "library",
		"pkg:generic/nvidia/cudnn@8.9.2":           "library",
		"pkg:generic/nvidia/cudnn@8.9.2.26":        "library",
		"pkg:pypi/torch@2.1.0%2Bcu121":             "library",
	} {
		if got := byPURL[purl].typ; got != typ {
			t.Errorf("component %s has type %q, want %q", purl, got, typ)
		}
	}
	if got := byPURL["pkg:generic/nvidia/cudnn@8.9.2"].props["lockstep:gpu:found_in"]; strings.Join(got, "|") !=
		"ld.so.cache: /usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2|header: /usr/include/cudnn_version.h" {
		t.Errorf("cuDNN 8.9.2 found in %q", got)
	}
	if got := byPURL["pkg:pypi/torch@2.1.0%2Bcu121"].props["lockstep:built_with:cuda"]; len(got) != 1 || got[0] != "12.1" {
		t.Errorf("torch built with CUDA %q", got)
	}
	drivers := 0
	for _, c := range doc.Components {
		if c.Type == "device-driver" {
			drivers++
		}
	}
	if drivers != 1 {
		t.Errorf("%d driver components; the GPU's and the kernel module's are one", drivers)
	}
	deps := map[string][]string{}
	for _, dep := range doc.Dependencies {
		for _, r := range dep.DependsOn {
			deps[dep.Ref] = append(deps[dep.Ref], byRef[r])
		}
	}
	if !contains(deps["gpu:0"], "pkg:generic/nvidia/driver@535.129.03") {
		t.Errorf("the GPU depends on %v", deps["gpu:0"])
	}
	if got := deps["cuda-toolkit:/usr/local/cuda-12.2"]; len(got) != 1 || got[0] != "pkg:generic/nvidia/cuda-runtime@12.2.140" {
		t.Errorf("the toolkit depends on %v, want its runtime", got)
	}
	purposes := map[string]string{}
	for _, p := range spdx.Packages {
		for _, r := range p.ExternalRefs {
			purposes[r.Locator] = p.Purpose
		}
	}
	if purposes["pkg:generic/nvidia/cudnn@8.9.2"] != "LIBRARY" || purposes["pkg:generic/nvidia/cuda-toolkit@12.2.2"] != "FRAMEWORK" ||
		purposes["pkg:generic/nvidia/driver@535.129.03"] != "FIRMWARE" {
		t.Errorf("SPDX purposes %v", purposes)
	}
}

// TestGPUSoftwareHostileSBOM: a stored record is not trusted to hold the
// versions capture writes; odd strings stay inside their fields.
func TestGPUSoftwareHostileSBOM(t *testing.T) {
	env := hostile()
	env.GPUSoftware = &capture.GPUSoftware{Driver: "1?x=y#z",
		Toolkits:  []capture.CUDAToolkit{{Path: "/a\"b", Version: "@/"}},
		Libraries: []capture.GPULibrary{{Name: "cudnn/../x", Version: "1 2", Source: "pip", Path: "\x1b[31m"}},
		Builds:    []capture.FrameworkBuild{{Package: "ok", CUDA: "12\n1"}, {Package: "absent", CUDA: "1"}}}
	doc, _ := bothSBOMs(t, env)
	for _, c := range doc.Components {
		if strings.Contains(c.PURL, "/../") || strings.Contains(c.PURL, "?x=") || strings.Contains(c.PURL, "#") {
			t.Errorf("purl %q lets a version or name out", c.PURL)
		}
	}
}

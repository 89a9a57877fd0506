package capture

import (
	"strings"
	"sync"

	"lockstep.dev/lockstep/internal/core"
)

// EnvironmentType is the "type" field of every Environment record.
const EnvironmentType = "lockstep.environment/v1"

// Environment is what a task ran with. It is stored as canonical JSON and
// deduplicated by digest, so it holds only facts that stay the same between
// two identical tasks on the same machine.
type Environment struct {
	Type        string            `json:"type"`
	OS          OSInfo            `json:"os"`
	Kernel      string            `json:"kernel"`
	Arch        string            `json:"arch"`
	Libc        Libc              `json:"libc"`
	CPU         CPU               `json:"cpu"`
	Memory      int64             `json:"memory_bytes"`
	GPUs        []GPU             `json:"gpus,omitempty"`
	Interpreter *Interpreter      `json:"interpreter,omitempty"`
	OSPackages  *PackageSet       `json:"os_packages,omitempty"`
	Env         map[string]string `json:"env"`
	// Files is what re-hashing the interpreter's installed files found
	// (see FileCheck); nil when the step starts no interpreter.
	Files *FileCheck `json:"installed_files,omitempty"`
	// GPUSoftware is the GPU software the step can reach (driver, CUDA,
	// cuDNN, what its frameworks were built against); nil when none was
	// found, so the record of a machine without any is unchanged.
	GPUSoftware *GPUSoftware `json:"gpu_software,omitempty"`
}

// OSInfo identifies the operating system release, from /etc/os-release.
type OSInfo struct {
	ID         string `json:"id"`
	VersionID  string `json:"version_id,omitempty"`
	PrettyName string `json:"pretty_name,omitempty"`
}

// Libc names the C library the host's programs link against.
type Libc struct {
	// Kind is "glibc" or "musl" ("" when neither was found).
	Kind    string `json:"kind"`
	Version string `json:"version"`
}

// String returns "glibc 2.36", or "" when no libc was found.
func (l Libc) String() string {
	if l.Kind == "" {
		return ""
	}
	return l.Kind + " " + l.Version
}

// CPU describes the processor, from /proc/cpuinfo.
type CPU struct {
	Model string `json:"model"`
	// Cores counts logical processors.
	Cores int `json:"cores"`
	// Flags are the feature flags, sorted and without duplicates.
	Flags []string `json:"flags,omitempty"`
}

// GPU is one device reported by nvidia-smi.
type GPU struct {
	Name        string `json:"name"`
	Driver      string `json:"driver"`
	MemoryBytes int64  `json:"memory_bytes"`
	UUID        string `json:"uuid"`
}

// GPUSoftware is the GPU software stack found on the host and in the
// interpreter, read from files only (no GPU, driver call or nvidia-smi
// needed): each list is sorted and empty lists are left out.
type GPUSoftware struct {
	// Driver is the NVIDIA kernel driver's version, "535.129.03", from
	// /proc/driver/nvidia/version or /sys/module/nvidia/version.
	Driver string `json:"driver,omitempty"`
	// Toolkits are the CUDA toolkits installed under /usr/local/cuda*.
	Toolkits []CUDAToolkit `json:"toolkits,omitempty"`
	// Libraries are the CUDA runtime, cuDNN and CUDA driver libraries the
	// dynamic loader, a toolkit or a pip distribution provides.
	Libraries []GPULibrary `json:"libraries,omitempty"`
	// Builds say what the interpreter's frameworks were built against.
	Builds []FrameworkBuild `json:"builds,omitempty"`
}

// CUDAToolkit is one CUDA toolkit folder.
type CUDAToolkit struct {
	// Path is the folder with symbolic links resolved, "/usr/local/cuda-12.2".
	Path string `json:"path"`
	// Version is the toolkit's, from its version.json or version.txt.
	Version string `json:"version"`
}

// GPULibrary is one GPU library found.
type GPULibrary struct {
	// Name is "cuda-runtime" (libcudart), "cudnn" (libcudnn or its
	// header) or "cuda-driver" (libcuda, the driver's user-space half).
	Name string `json:"name"`
	// Version is read from the library's file name (libcudart.so.12.2.140),
	// cuDNN's header, or the pip distribution's version.
	Version string `json:"version"`
	// Source says where it was found: "ld.so.cache", "lib-dir" (a
	// standard library folder, when there is no ld.so.cache),
	// "LD_LIBRARY_PATH", "toolkit", "header" or "pip".
	Source string `json:"source"`
	// Path is the file with symbolic links resolved; for "pip", the
	// distribution's name (nvidia-cudnn-cu12).
	Path string `json:"path"`
}

// FrameworkBuild is what one Python framework was built against, from its
// own files (torch/version.py, tensorflow's build_info.py).
type FrameworkBuild struct {
	// Package is the distribution's normalised name, "torch".
	Package string `json:"package"`
	// CUDA and CuDNN are the versions it was built with, as it says them.
	CUDA  string `json:"cuda,omitempty"`
	CuDNN string `json:"cudnn,omitempty"`
	// HIP is the ROCm HIP version of a ROCm build.
	HIP string `json:"hip,omitempty"`
}

// String returns what the framework was built against: "cuda 12.1, cudnn
// 8".
func (b FrameworkBuild) String() string {
	var parts []string
	for _, kv := range [][2]string{{"cuda", b.CUDA}, {"cudnn", b.CuDNN}, {"hip", b.HIP}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(parts, ", ")
}

// Interpreter is the language runtime a step's command starts.
type Interpreter struct {
	// Kind is "python".
	Kind string `json:"kind"`
	// Path is the interpreter binary with symbolic links resolved.
	Path string `json:"path"`
	// Version is the interpreter's version, such as "3.11.2".
	Version string `json:"version"`
	// Prefix is sys.prefix: the virtual environment or installation root.
	Prefix string `json:"prefix"`
	// Paths are the sys.path entries that exist, in search order.
	Paths []string `json:"paths"`
	// Packages are the installed distributions, sorted by name; a name
	// shadowed by an earlier sys.path entry appears once, as Python sees it.
	Packages []Package `json:"packages"`
	// Hidden are sys.path entries (from PYTHONPATH, a .pth file…) that
	// exist on the host but that the confined step cannot see: nothing
	// there is importable when it runs, so no package there is recorded.
	// Adding them to the flow's environment.paths exposes them.
	Hidden []string `json:"hidden_paths,omitempty"`
	// Requires maps a distribution to the installed distributions its
	// Requires-Dist names (extras left out), sorted.
	Requires map[string][]string `json:"requires,omitempty"`
	// Archives maps a distribution to the digest of the archive (wheel or
	// sdist) it was installed from, "sha256:<hex>", when pip recorded one
	// in its direct_url.json.
	Archives map[string]string `json:"archives,omitempty"`
}

// PackageSet is the list of packages one package manager installed.
//
// The set Capture gives is read from the host once and shared by every
// environment captured while the package database keeps its identity:
// it must not be modified, and its JSON encoding (most of an
// environment record's size) is made once.
type PackageSet struct {
	// Manager is "dpkg", "apk" or "rpm".
	Manager  string    `json:"manager"`
	Packages []Package `json:"packages"`
	// Depends maps a package to the installed packages its dependencies
	// resolve to (dpkg's Depends and Pre-Depends), sorted.
	Depends map[string][]string `json:"depends,omitempty"`

	encoded *onceJSON // set on a shared set: its encoding, made once
}

// PreencodedJSON encodes e as its fields say (core.Preencoded), with a
// shared OS package set's encoding, made once, spliced in as it is.
func (e *Environment) PreencodedJSON() ([]byte, error) {
	type plain Environment
	if e.OSPackages == nil || e.OSPackages.encoded == nil {
		return core.EncodeJSON((*plain)(e))
	}
	rest := *e
	rest.OSPackages = nil
	head, err := core.EncodeJSON((*plain)(&rest))
	if err != nil {
		return nil, err
	}
	set, err := e.OSPackages.MarshalJSON()
	if err != nil {
		return nil, err
	}
	// head is an object with at least "type": its closing brace becomes
	// the package set's member.
	out := make([]byte, 0, len(head)+len(set)+len(`,"os_packages":`))
	out = append(out, head[:len(head)-1]...)
	out = append(out, `,"os_packages":`...)
	out = append(out, set...)
	return append(out, '}'), nil
}

// onceJSON is the JSON encoding of a value that never changes, made at
// first use.
type onceJSON struct {
	once sync.Once
	b    []byte
	err  error
}

// MarshalJSON encodes s as its fields say; a shared set is encoded once.
func (s *PackageSet) MarshalJSON() ([]byte, error) {
	type plain PackageSet
	if s.encoded == nil {
		return core.EncodeJSON((*plain)(s))
	}
	s.encoded.once.Do(func() { s.encoded.b, s.encoded.err = core.EncodeJSON((*plain)(s)) })
	return s.encoded.b, s.encoded.err
}

// Package is one installed package. Python package names are normalised
// as PEP 503 says (lower case, runs of "-", "_" and "." become "-").
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch,omitempty"`
}

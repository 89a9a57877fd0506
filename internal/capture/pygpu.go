package capture

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"lockstep.dev/lockstep/internal/hostcache"
)

// pipGPULib matches NVIDIA's pip distributions of the CUDA runtime and
// cuDNN (nvidia-cuda-runtime-cu12, nvidia-cudnn-cu11…), by normalised
// name.
var pipGPULib = regexp.MustCompile(`^nvidia-(cuda-runtime|cudnn)(-cu[0-9]+)?$`)

// frameworkFiles name, for each framework distribution, the module file
// that says what it was built against, relative to a sys.path entry.
var frameworkFiles = []struct{ pkg, file string }{
	{"torch", "torch/version.py"},
	{"tensorflow", "tensorflow/python/platform/build_info.py"},
	{"tensorflow-cpu", "tensorflow/python/platform/build_info.py"},
	{"tf-nightly", "tensorflow/python/platform/build_info.py"},
}

// maxLibraryPath bounds the LD_LIBRARY_PATH folders looked into.
const maxLibraryPath = 64

// stepGPUSoftware returns the environment's GPU software: the host's,
// plus the CUDA libraries in the folders of the step's LD_LIBRARY_PATH
// (which the loader searches first) that the step can see, those the
// interpreter's pip distributions carry and what its frameworks were
// built against; nil when there is none.
func stepGPUSoftware(host GPUSoftware, opts Options, in *Interpreter) *GPUSoftware {
	var ldPath string
	if opts.Env == nil {
		ldPath = os.Getenv("LD_LIBRARY_PATH")
	} else {
		ldPath = opts.Env["LD_LIBRARY_PATH"]
	}
	visible := func(p string) bool {
		return opts.Visible == nil || slices.ContainsFunc(opts.Visible, func(v string) bool { return within(p, v) })
	}
	var libs []GPULibrary
	for i, dir := range strings.Split(ldPath, ":") {
		if i == maxLibraryPath {
			break
		}
		if dir = filepath.Clean(dir); filepath.IsAbs(dir) && visible(dir) {
			libs = append(libs, libraryDir(hostcache.Shared(), dir)...)
		}
	}
	// A confined step sees only some folders: what is elsewhere (a
	// toolkit under /opt named by the loader's cache) it cannot load.
	host.Toolkits = slices.DeleteFunc(slices.Clone(host.Toolkits), func(t CUDAToolkit) bool { return !visible(t.Path) })
	host.Libraries = slices.DeleteFunc(slices.Clone(host.Libraries), func(l GPULibrary) bool { return !visible(l.Path) })
	return withInterpreterGPU(host, libs, in)
}

// libraryDir returns the GPU libraries in the host folder dir, remembered
// in c while the folder and the files read keep their identity.
func libraryDir(c *hostcache.Cache, dir string) []GPULibrary {
	libs, _ := hostcache.Remember(c, "gpu-libraries\x00"+dir, []string{dir}, func() ([]GPULibrary, []string, error) {
		s := gpuScan{root: "/", seen: map[string]bool{}}
		s.libDir(dir, "LD_LIBRARY_PATH")
		return s.sw.Libraries, s.read, nil
	})
	return libs
}

// withInterpreterGPU returns host's GPU software with the libraries libs
// (dropping those host already has) and what the interpreter in adds;
// nil when there is none.
func withInterpreterGPU(host GPUSoftware, libs []GPULibrary, in *Interpreter) *GPUSoftware {
	sw := GPUSoftware{Driver: host.Driver, Toolkits: slices.Clone(host.Toolkits), Libraries: slices.Clone(host.Libraries)}
	for _, l := range libs {
		if !slices.ContainsFunc(sw.Libraries, func(h GPULibrary) bool { return h.Path == l.Path }) {
			sw.Libraries = append(sw.Libraries, l)
		}
	}
	if in != nil {
		for _, p := range in.Packages {
			if m := pipGPULib.FindStringSubmatch(p.Name); m != nil && versionShape.MatchString(p.Version) {
				sw.Libraries = append(sw.Libraries, GPULibrary{Name: m[1], Version: p.Version, Source: "pip", Path: p.Name})
			}
		}
		sw.Builds = frameworkBuilds(in)
	}
	sortGPUSoftware(&sw)
	if sw.empty() {
		return nil
	}
	return &sw
}

// frameworkBuilds reads, for each framework the interpreter has, its
// module that says what it was built against, from the first sys.path
// entry holding it (the one Python imports). A framework built for no GPU
// ("cuda = None") gives nothing.
func frameworkBuilds(in *Interpreter) []FrameworkBuild {
	var out []FrameworkBuild
	for _, fw := range frameworkFiles {
		if !slices.ContainsFunc(in.Packages, func(p Package) bool { return p.Name == fw.pkg }) {
			continue
		}
		for _, dir := range in.Paths {
			path := filepath.Join(dir, fw.file)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			b, err := readVersionFile(path, parsePyBuild)
			if err == nil && (b.CUDA != "" || b.CuDNN != "" || b.HIP != "") {
				b.Package = fw.pkg
				out = append(out, b)
			}
			break
		}
	}
	return out
}

package capture

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/hostcache"
)

// gpuLibs are the libraries looked for, by soname stem.
var gpuLibs = []struct{ stem, name string }{
	{"libcudart.so.", "cuda-runtime"},
	{"libcudnn.so.", "cudnn"},
	{"libcuda.so.", "cuda-driver"},
}

// Where the host's GPU software is read from, relative to the root.
var (
	nvidiaDriverFiles = []string{"/proc/driver/nvidia/version", "/sys/module/nvidia/version"}
	ldCacheFile       = "/etc/ld.so.cache"
	toolkitParent     = "/usr/local"
	// cudnnHeaders are where a cuDNN installed from OS packages puts its
	// version header.
	cudnnHeaders = []string{"/usr/include/cudnn_version.h", "/usr/include/cudnn.h"}
	// standardLibDirs are searched when there is no ld.so.cache (musl, or
	// an image where ldconfig never ran); the loader searches them anyway.
	standardLibDirs = []string{"/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib", "/lib/*-linux-gnu*", "/usr/lib/*-linux-gnu*"}
)

// hostGPUSoftware returns the GPU software (driver, toolkits, loader
// libraries) under root, "/" for the host, remembered in c while the
// files it was read from keep their identity.
func hostGPUSoftware(c *hostcache.Cache, root string) GPUSoftware {
	sw, _ := hostcache.Remember(c, "gpu-software\x00"+root, gpuProbeFiles(root), func() (GPUSoftware, []string, error) {
		sw, read := scanGPUSoftware(root)
		return sw, read, nil
	})
	return sw
}

// gpuProbeFiles are the files and folders whose change may change what
// scanGPUSoftware finds under root, before it reads anything.
func gpuProbeFiles(root string) []string {
	var out []string
	for _, p := range slices.Concat(nvidiaDriverFiles, []string{ldCacheFile, toolkitParent}, cudnnHeaders) {
		out = append(out, filepath.Join(root, p))
	}
	return out
}

// scanGPUSoftware reads the GPU software installed under root ("/" for the
// host): the kernel driver's version, the CUDA toolkits in /usr/local, and
// the CUDA libraries the dynamic loader's cache names (or, without a
// cache, those in the standard library folders). It reads files only and
// returns, besides what it found, every further file and folder it read,
// so an answer can be remembered while they stay the same. Unreadable or
// malformed files count as absent: a machine without a GPU stack, or with
// a broken one, records what could be read.
func scanGPUSoftware(root string) (GPUSoftware, []string) {
	s := gpuScan{root: root, seen: map[string]bool{}}
	for _, p := range nvidiaDriverFiles {
		if v, err := readVersionFile(s.at(p), parseNvidiaDriver); err == nil && v != "" {
			s.sw.Driver = v
			break
		}
	}
	if entries, err := readLDCache(s.at(ldCacheFile)); err == nil {
		for _, e := range entries {
			if filepath.IsAbs(e.Path) {
				s.library(e.Name, e.Path, "ld.so.cache")
			}
		}
	} else {
		for _, pat := range standardLibDirs {
			dirs, _ := filepath.Glob(s.at(pat))
			for _, d := range dirs {
				s.libDir(strings.TrimPrefix(d, strings.TrimSuffix(root, "/")), "lib-dir")
			}
		}
	}
	s.toolkits()
	for _, h := range cudnnHeaders {
		if s.header(h) {
			break
		}
	}
	sortGPUSoftware(&s.sw)
	return s.sw, s.read
}

// gpuScan is one scan of a root.
type gpuScan struct {
	root string
	sw   GPUSoftware
	read []string
	seen map[string]bool // library files and toolkits already recorded
}

// at returns the host path p under the root.
func (s *gpuScan) at(p string) string { return filepath.Join(s.root, p) }

// library records the library file the host path p (a soname link, say)
// leads to, when name is one of gpuLibs'.
func (s *gpuScan) library(name, p, source string) {
	for _, l := range gpuLibs {
		if !strings.HasPrefix(name, l.stem) {
			continue
		}
		real, ok := resolveUnder(s.root, p)
		if !ok || s.seen[real] {
			return
		}
		s.read = append(s.read, s.at(p))
		if v := libVersion(filepath.Base(real), l.stem); v != "" {
			s.seen[real] = true
			s.sw.Libraries = append(s.sw.Libraries, GPULibrary{Name: l.name, Version: v, Source: source, Path: real})
		}
		return
	}
}

// libDir records the GPU libraries in the host folder dir.
func (s *gpuScan) libDir(dir, source string) {
	entries, err := os.ReadDir(s.at(dir))
	s.read = append(s.read, s.at(dir))
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "libcud") {
			s.library(e.Name(), filepath.Join(dir, e.Name()), source)
		}
	}
}

// toolkits records each /usr/local/cuda* folder's version, its libraries
// and its cuDNN header.
func (s *gpuScan) toolkits() {
	dirs, _ := filepath.Glob(s.at(filepath.Join(toolkitParent, "cuda*")))
	for _, d := range dirs {
		real, ok := resolveUnder(s.root, strings.TrimPrefix(d, strings.TrimSuffix(s.root, "/")))
		if !ok || s.seen[real] {
			continue
		}
		if st, err := os.Stat(s.at(real)); err != nil || !st.IsDir() {
			continue
		}
		s.seen[real] = true
		v, err := readVersionFile(s.at(filepath.Join(real, "version.json")), parseCUDAVersionJSON)
		if err != nil || v == "" {
			v, _ = readVersionFile(s.at(filepath.Join(real, "version.txt")), parseCUDAVersionTxt)
		}
		s.read = append(s.read, s.at(filepath.Join(real, "version.json")), s.at(filepath.Join(real, "version.txt")))
		if v != "" {
			s.sw.Toolkits = append(s.sw.Toolkits, CUDAToolkit{Path: real, Version: v})
		}
		s.libDir(filepath.Join(real, "lib64"), "toolkit")
		s.header(filepath.Join(real, "include", "cudnn_version.h"))
	}
}

// header records the cuDNN version a header at host path p says; it
// reports whether there was one.
func (s *gpuScan) header(p string) bool {
	s.read = append(s.read, s.at(p))
	real, ok := resolveUnder(s.root, p)
	if !ok || s.seen[real] {
		return false
	}
	v, err := readVersionFile(s.at(real), parseCuDNNHeader)
	if err != nil || v == "" {
		return false
	}
	s.seen[real] = true
	s.sw.Libraries = append(s.sw.Libraries, GPULibrary{Name: "cudnn", Version: v, Source: "header", Path: real})
	return true
}

// maxLinks bounds the symbolic links followed to resolve one path.
const maxLinks = 16

// resolveUnder resolves the symbolic links of the host path p as seen
// from root: an absolute link target stays under root. It returns the
// host path, ok false when a link cannot be read or the chain is too long.
func resolveUnder(root, p string) (string, bool) {
	p = filepath.Clean("/" + p)
	for range maxLinks {
		resolved, changed, ok := resolveOnce(root, p)
		if !ok {
			return "", false
		}
		if !changed {
			return resolved, true
		}
		p = resolved
	}
	return "", false
}

// resolveOnce replaces the first symbolic link among p's components with
// its target; changed is false when p has none.
func resolveOnce(root, p string) (string, bool, bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i, part := range parts {
		next := filepath.Join(cur, part)
		st, err := os.Lstat(filepath.Join(root, next))
		if err != nil {
			return "", false, false
		}
		if st.Mode()&os.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return "", false, false
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(cur, target)
		}
		return filepath.Clean(filepath.Join(append([]string{target}, parts[i+1:]...)...)), true, true
	}
	return cur, false, true
}

// sortGPUSoftware puts the lists in a fixed order and leaves empty ones
// out.
func sortGPUSoftware(sw *GPUSoftware) {
	sort.Slice(sw.Toolkits, func(i, j int) bool { return sw.Toolkits[i].Path < sw.Toolkits[j].Path })
	sort.Slice(sw.Libraries, func(i, j int) bool {
		a, b := sw.Libraries[i], sw.Libraries[j]
		return a.Name+"\x00"+a.Path+"\x00"+a.Source < b.Name+"\x00"+b.Path+"\x00"+b.Source
	})
	sort.Slice(sw.Builds, func(i, j int) bool { return sw.Builds[i].Package < sw.Builds[j].Package })
	if len(sw.Toolkits) == 0 {
		sw.Toolkits = nil
	}
	if len(sw.Libraries) == 0 {
		sw.Libraries = nil
	}
	if len(sw.Builds) == 0 {
		sw.Builds = nil
	}
}

// empty reports whether nothing was found.
func (sw *GPUSoftware) empty() bool {
	return sw.Driver == "" && len(sw.Toolkits) == 0 && len(sw.Libraries) == 0 && len(sw.Builds) == 0
}

package sbom

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// component is one thing an environment holds, before it is written in
// either format.
type component struct {
	ref     string // unique in the document: "pypi:numpy", "dpkg:libc6:amd64", "os", "cpu"…
	kind    string // a CycloneDX component type: library, operating-system, application, device, device-driver
	name    string
	version string
	purl    string
	sha256  string // hex digest of the archive it was installed from, when known
	props   []property
	depends []string // refs
}

type property struct{ name, value string }

// inventory is an environment as a list of components and the
// relationships between them.
type inventory struct {
	env   core.Digest
	comps []component
	top   []string   // refs the environment itself depends on
	props []property // the environment's own facts
}

// inventoryOf lists what env holds: the operating system, its packages,
// the interpreter and its distributions, the CPU, the GPUs and their
// driver, the CUDA toolkits and GPU libraries, with dependencies where they resolve and the installed-file
// verification as properties.
func inventoryOf(env *capture.Environment, d core.Digest) inventory {
	inv := inventory{env: d}
	os := component{ref: "os", kind: "operating-system", name: env.OS.ID, version: env.OS.VersionID, props: []property{
		{"lockstep:os:pretty_name", env.OS.PrettyName}, {"lockstep:kernel", env.Kernel}, {"lockstep:arch", env.Arch}, {"lockstep:libc", env.Libc.String()}}}
	inv.top = append(inv.top, "os")
	if set := env.OSPackages; set != nil {
		refs := map[string]string{}
		for _, p := range set.Packages {
			if _, dup := refs[p.Name]; !dup {
				refs[p.Name] = osRef(set.Manager, p)
			}
		}
		for _, p := range set.Packages {
			c := component{ref: osRef(set.Manager, p), kind: "library", name: p.Name, version: p.Version,
				purl: osPURL(set.Manager, env.OS, p), props: []property{{"lockstep:package_manager", set.Manager}}}
			for _, dep := range set.Depends[p.Name] {
				if r := refs[dep]; r != "" {
					c.depends = append(c.depends, r)
				}
			}
			os.depends = append(os.depends, c.ref)
			inv.comps = append(inv.comps, c)
		}
	}
	inv.comps = append([]component{os}, inv.comps...)
	if in := env.Interpreter; in != nil {
		interp := component{ref: "interpreter", kind: "application", name: in.Kind, version: in.Version,
			purl: purl("generic", "", in.Kind, in.Version, nil), props: []property{{"lockstep:path", in.Path}, {"lockstep:prefix", in.Prefix}}}
		var dists []component
		for _, p := range in.Packages {
			c := component{ref: "pypi:" + p.Name, kind: "library", name: p.Name, version: p.Version, purl: pypiPURL(p)}
			c.sha256, _ = strings.CutPrefix(in.Archives[p.Name], "sha256:")
			for _, r := range in.Requires[p.Name] {
				c.depends = append(c.depends, "pypi:"+r)
			}
			interp.depends = append(interp.depends, c.ref)
			dists = append(dists, c)
		}
		inv.top = append(inv.top, "interpreter")
		inv.comps = append(inv.comps, interp)
		inv.comps = append(inv.comps, dists...)
	}
	cpu := component{ref: "cpu", kind: "device", name: env.CPU.Model, props: []property{
		{"lockstep:cores", strconv.Itoa(env.CPU.Cores)}, {"lockstep:memory_bytes", strconv.FormatInt(env.Memory, 10)}}}
	inv.top = append(inv.top, "cpu")
	inv.comps = append(inv.comps, cpu)
	sw := env.GPUSoftware
	if sw == nil {
		sw = &capture.GPUSoftware{}
	}
	for i, g := range env.GPUs {
		gpu := component{ref: fmt.Sprintf("gpu:%d", i), kind: "device", name: g.Name, props: []property{
			{"lockstep:memory_bytes", strconv.FormatInt(g.MemoryBytes, 10)}, {"lockstep:uuid", g.UUID}}}
		switch {
		case g.Driver != "" && g.Driver == sw.Driver:
			gpu.depends = []string{nvidiaDriverRef} // added with the GPU software
		case g.Driver != "":
			drv := component{ref: fmt.Sprintf("gpu-driver:%d", i), kind: "device-driver", name: "nvidia-driver", version: g.Driver,
				purl: purl("generic", "nvidia", "driver", g.Driver, nil)}
			gpu.depends = []string{drv.ref}
			inv.comps = append(inv.comps, drv)
		}
		inv.top = append(inv.top, gpu.ref)
		inv.comps = append(inv.comps, gpu)
	}
	inv.addGPUSoftware(sw)
	inv.addVerification(env.Files)
	return inv
}

// nvidiaDriverRef is the NVIDIA kernel driver's component.
const nvidiaDriverRef = "nvidia-driver"

// addGPUSoftware adds the GPU software stack: the kernel driver as a
// device driver, each CUDA toolkit as a framework depending on the
// libraries found in it, each GPU library (one component per name and
// version, with every place it was found as a property), and on each
// framework distribution what it was built against.
func (inv *inventory) addGPUSoftware(sw *capture.GPUSoftware) {
	if sw.Driver != "" {
		inv.top = append(inv.top, nvidiaDriverRef)
		inv.comps = append(inv.comps, component{ref: nvidiaDriverRef, kind: "device-driver", name: "nvidia-driver", version: sw.Driver,
			purl: purl("generic", "nvidia", "driver", sw.Driver, nil), props: []property{{"lockstep:gpu:source", "kernel module"}}})
	}
	toolkits := make([]component, len(sw.Toolkits))
	for i, t := range sw.Toolkits {
		toolkits[i] = component{ref: "cuda-toolkit:" + t.Path, kind: "framework", name: "cuda-toolkit", version: t.Version,
			purl: purl("generic", "nvidia", "cuda-toolkit", t.Version, nil), props: []property{{"lockstep:path", t.Path}}}
		inv.top = append(inv.top, toolkits[i].ref)
	}
	libs := map[string]int{} // ref → index in inv.comps
	for _, l := range sw.Libraries {
		ref := "gpu-library:" + l.Name + "@" + l.Version
		i, ok := libs[ref]
		if !ok {
			i = len(inv.comps)
			libs[ref] = i
			inv.top = append(inv.top, ref)
			inv.comps = append(inv.comps, component{ref: ref, kind: "library", name: l.Name, version: l.Version,
				purl: purl("generic", "nvidia", l.Name, l.Version, nil)})
		}
		inv.comps[i].props = append(inv.comps[i].props, property{"lockstep:gpu:found_in", l.Source + ": " + l.Path})
		for j, t := range sw.Toolkits {
			if strings.HasPrefix(l.Path, t.Path+"/") && !slices.Contains(toolkits[j].depends, ref) {
				toolkits[j].depends = append(toolkits[j].depends, ref)
			}
		}
	}
	inv.comps = append(inv.comps, toolkits...)
	for _, b := range sw.Builds {
		i := slices.IndexFunc(inv.comps, func(c component) bool { return c.ref == "pypi:"+b.Package })
		if i < 0 {
			continue
		}
		inv.comps[i].props = append(inv.comps[i].props, property{"lockstep:built_with:cuda", b.CUDA},
			property{"lockstep:built_with:cudnn", b.CuDNN}, property{"lockstep:built_with:hip", b.HIP})
	}
}

func osRef(manager string, p capture.Package) string {
	if p.Arch != "" {
		return manager + ":" + p.Name + ":" + p.Arch
	}
	return manager + ":" + p.Name
}

// addVerification records the installed-file check: totals on the
// environment, each modified or missing file on its package.
func (inv *inventory) addVerification(c *capture.FileCheck) {
	if c == nil {
		return
	}
	inv.props = append(inv.props,
		property{"lockstep:installed_files:packages", strconv.Itoa(c.Packages)},
		property{"lockstep:installed_files:checked", strconv.Itoa(c.Files)},
		property{"lockstep:installed_files:modified", strconv.Itoa(len(c.Modified))},
		property{"lockstep:installed_files:missing", strconv.Itoa(len(c.Missing))},
		property{"lockstep:installed_files:unowned", strconv.Itoa(c.UnownedTotal)},
		property{"lockstep:installed_files:unverifiable", strconv.Itoa(len(c.Unverifiable))})
	for _, u := range c.Unowned {
		inv.props = append(inv.props, property{"lockstep:installed_files:unowned_file", u})
	}
	byRef := map[string]int{}
	for i, comp := range inv.comps {
		byRef[comp.ref] = i
		if strings.HasPrefix(comp.ref, "dpkg:") {
			byRef["dpkg:"+comp.name] = i
		}
	}
	note := func(kind string, f capture.ChangedFile) {
		i, ok := byRef[map[string]string{"pip": "pypi"}[f.Manager]+":"+f.Package]
		if f.Manager != "pip" {
			i, ok = byRef[f.Manager+":"+f.Package]
		}
		if ok {
			inv.comps[i].props = append(inv.comps[i].props, property{"lockstep:file:" + kind, f.Path + " expected " + f.Expected + " actual " + f.Actual})
		}
	}
	for _, f := range c.Modified {
		note("modified", f)
	}
	for _, f := range c.Missing {
		note("missing", f)
	}
	for _, u := range c.Unverifiable {
		if i, ok := byRef["pypi:"+u.Package]; ok {
			inv.comps[i].props = append(inv.comps[i].props, property{"lockstep:file:unverifiable", u.Reason})
		}
	}
}

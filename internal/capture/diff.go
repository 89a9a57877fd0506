package capture

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Change is one difference between two environments. From is empty for
// something only the second environment has, To for something only the
// first has.
type Change struct {
	// Field names what changed: "kernel", "libc", "cpu model",
	// "python package numpy", "os package bash", "env OMP_NUM_THREADS".
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
}

// String renders the change for people: "numpy 1.24.2 -> 1.26.4",
// "+ requests 2.31.0", "- six 1.16.0", "kernel 6.1.0 -> 6.5.0".
func (c Change) String() string {
	subject := strings.TrimPrefix(c.Field, "python package ")
	switch {
	case c.From == "":
		return "+ " + subject + " " + c.To
	case c.To == "":
		return "- " + subject + " " + c.From
	}
	return subject + " " + c.From + " -> " + c.To
}

// Diff lists what differs from environment a to environment b, sorted by
// field. A nil environment counts as an empty one.
func Diff(a, b *Environment) []Change {
	if a == nil {
		a = &Environment{}
	}
	if b == nil {
		b = &Environment{}
	}
	var d differ
	d.value("os", osString(a.OS), osString(b.OS))
	d.value("kernel", a.Kernel, b.Kernel)
	d.value("arch", a.Arch, b.Arch)
	d.value("libc", a.Libc.String(), b.Libc.String())
	d.value("cpu model", a.CPU.Model, b.CPU.Model)
	d.value("cpu cores", count(a.CPU.Cores), count(b.CPU.Cores))
	d.members("cpu flags", a.CPU.Flags, b.CPU.Flags)
	d.value("memory", formatBytes(a.Memory), formatBytes(b.Memory))
	d.set("gpu ", gpuSet(a.GPUs), gpuSet(b.GPUs))
	d.gpuSoftware(a.GPUSoftware, b.GPUSoftware)
	ai, bi := a.Interpreter, b.Interpreter
	if ai == nil {
		ai = &Interpreter{}
	}
	if bi == nil {
		bi = &Interpreter{}
	}
	d.value("python", ai.Version, bi.Version)
	d.value("python path", ai.Path, bi.Path)
	d.value("python prefix", ai.Prefix, bi.Prefix)
	d.set("python package ", packageSet(ai.Packages), packageSet(bi.Packages))
	d.set("os package ", packageSet(osPackages(a)), packageSet(osPackages(b)))
	d.set("env ", envSet(a.Env), envSet(b.Env))
	sort.Slice(d, func(i, j int) bool {
		if d[i].Field != d[j].Field {
			return d[i].Field < d[j].Field
		}
		return d[i].From+"\x00"+d[i].To < d[j].From+"\x00"+d[j].To
	})
	return d
}

// differ collects changes.
type differ []Change

func (d *differ) value(field, from, to string) {
	if from != to {
		*d = append(*d, Change{Field: field, From: from, To: to})
	}
}

// set compares two keyed sets; keys present on one side only are added
// or removed.
func (d *differ) set(prefix string, from, to map[string]string) {
	for k, v := range from {
		d.value(prefix+k, v, to[k])
	}
	for k, v := range to {
		if _, ok := from[k]; !ok {
			d.value(prefix+k, "", v)
		}
	}
}

// members reports each element only one of two lists has, under one field:
// "+ cpu flags avx512f".
func (d *differ) members(field string, from, to []string) {
	in := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, x := range list {
			m[x] = true
		}
		return m
	}
	fromSet, toSet := in(from), in(to)
	for x := range fromSet {
		if !toSet[x] {
			*d = append(*d, Change{Field: field, From: x})
		}
	}
	for x := range toSet {
		if !fromSet[x] {
			*d = append(*d, Change{Field: field, To: x})
		}
	}
}

func osString(o OSInfo) string {
	return strings.TrimSpace(o.ID + " " + o.VersionID)
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func formatBytes(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

func gpuSet(gpus []GPU) map[string]string {
	m := make(map[string]string, len(gpus))
	for i, g := range gpus {
		m[strconv.Itoa(i)] = fmt.Sprintf("%s (driver %s, %s)", g.Name, g.Driver, formatBytes(g.MemoryBytes))
	}
	return m
}

// gpuSoftware adds the changes of the GPU software stack: "nvidia driver
// 535.129.03 -> 550.54.14", "gpu library cudnn /usr/lib/…", "cuda toolkit
// /usr/local/cuda-12.2", "framework build torch".
func (d *differ) gpuSoftware(a, b *GPUSoftware) {
	if a == nil {
		a = &GPUSoftware{}
	}
	if b == nil {
		b = &GPUSoftware{}
	}
	d.value("nvidia driver", a.Driver, b.Driver)
	toolkits := func(sw *GPUSoftware) map[string]string {
		m := map[string]string{}
		for _, t := range sw.Toolkits {
			m[t.Path] = t.Version
		}
		return m
	}
	libraries := func(sw *GPUSoftware) map[string]string {
		m := map[string]string{}
		for _, l := range sw.Libraries {
			m[l.Name+" "+l.Path] = l.Version
		}
		return m
	}
	builds := func(sw *GPUSoftware) map[string]string {
		m := map[string]string{}
		for _, b := range sw.Builds {
			m[b.Package] = b.String()
		}
		return m
	}
	d.set("cuda toolkit ", toolkits(a), toolkits(b))
	d.set("gpu library ", libraries(a), libraries(b))
	d.set("framework build ", builds(a), builds(b))
}

// packageSet keys packages by name, or by name:arch for a name installed
// for several architectures (Debian multiarch).
func packageSet(pkgs []Package) map[string]string {
	n := map[string]int{}
	for _, p := range pkgs {
		n[p.Name]++
	}
	m := make(map[string]string, len(pkgs))
	for _, p := range pkgs {
		key := p.Name
		if n[p.Name] > 1 {
			key += ":" + p.Arch
		}
		m[key] = p.Version
	}
	return m
}

func osPackages(e *Environment) []Package {
	if e.OSPackages == nil {
		return nil
	}
	return e.OSPackages.Packages
}

// envSet shows an empty value as "" so that it differs from an unset one.
func envSet(env map[string]string) map[string]string {
	m := make(map[string]string, len(env))
	for k, v := range env {
		if v == "" {
			v = `""`
		}
		m[k] = v
	}
	return m
}

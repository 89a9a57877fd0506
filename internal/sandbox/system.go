package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
)

// systemDirs are the top-level system directories a command may need: the
// programs and libraries. On a merged-/usr system all but /usr are links,
// which the sandbox recreates as the same links.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// etcFiles is the curated part of /etc a confined command sees: what the
// dynamic loader, name lookups of users and local hosts, TLS certificate
// checks, time zones, OS identification, Debian's alternatives and its
// Python and plotting configuration need. It deliberately leaves out
// secrets and per-host identity (shadow, gshadow, ssh, ssl/private,
// machine-id, hostname), package-index credentials (pip.conf, apt) and
// shell start-up files. /etc/resolv.conf is added only for steps with
// network access (see Command).
var etcFiles = []string{
	"alternatives",
	"ca-certificates.conf",
	"debian_version",
	"fonts",
	"gai.conf",
	"group",
	"host.conf",
	"hosts",
	"ld.so.cache",
	"ld.so.conf",
	"ld.so.conf.d",
	"localtime",
	"matplotlibrc",
	"mime.types",
	"networks",
	"nsswitch.conf",
	"os-release",
	"passwd",
	"protocols",
	"services",
	"ssl/certs",
	"ssl/openssl.cnf",
	"timezone",
}

// etcGlobs name /etc entries that vary by release, such as Debian's
// /etc/python3.11 that /usr/lib/python3.11/sitecustomize.py links to.
var etcGlobs = []string{"python3*"}

// SystemBinds returns the read-only system set every confined command
// gets: the system directories that exist on this host and the curated
// part of /etc, each bound at its own path. Entries missing here are left
// out. The result is sorted by path; it is looked up once per process
// (a task asks for it many times) and the caller gets its own copy.
func SystemBinds() []Bind { return slices.Clone(systemBinds()) }

var systemBinds = sync.OnceValue(lookUpSystemBinds)

// lookUpSystemBinds finds what SystemBinds returns.
func lookUpSystemBinds() []Bind {
	var binds []Bind
	add := func(p string) {
		if _, err := os.Lstat(p); err == nil {
			binds = append(binds, Bind{Src: p, Dst: p})
		}
	}
	for _, d := range systemDirs {
		add(d)
	}
	for _, f := range etcFiles {
		add(filepath.Join("/etc", f))
	}
	for _, g := range etcGlobs {
		matches, _ := filepath.Glob(filepath.Join("/etc", g)) // the pattern is constant and valid
		for _, m := range matches {
			add(m)
		}
	}
	sort.Slice(binds, func(i, j int) bool { return binds[i].Dst < binds[j].Dst })
	return binds
}

// systemLink is what the path of a system bind is, looked up once per
// process with SystemBinds: a symlink (such as /bin -> usr/bin) with its
// target and where it resolves, or not one.
type systemLink struct {
	symlink          bool
	target, resolved string
}

// systemLinks maps each system bind's path to what it is.
var systemLinks = sync.OnceValue(func() map[string]systemLink {
	links := map[string]systemLink{}
	for _, b := range systemBinds() {
		links[b.Src] = lookUpLink(b.Src)
	}
	return links
})

// lookUpLink says whether p is a symlink that resolves, and if so its
// target and where it resolves.
func lookUpLink(p string) systemLink {
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return systemLink{}
	}
	target, err := os.Readlink(p)
	if err != nil {
		return systemLink{}
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return systemLink{}
	}
	return systemLink{symlink: true, target: target, resolved: resolved}
}

// resolvConf is bound for steps that may use the network.
const resolvConf = "/etc/resolv.conf"

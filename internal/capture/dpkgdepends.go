package capture

import (
	"io"
	"slices"
	"strings"
)

// dpkgStanza is what parseDpkgRelations keeps of one installed package.
type dpkgStanza struct {
	name     string
	depends  []string // alternatives groups, "a (>= 1) | b"
	provides []string
}

// parseDpkgRelations streams dpkg's status database and returns, for each
// installed package, the installed packages its Depends and Pre-Depends
// name, sorted. Of alternatives ("a | b") the first installed one counts;
// a virtual package resolves to an installed package that provides it;
// version constraints and architecture qualifiers are dropped. Relations
// that resolve to nothing installed are left out.
func parseDpkgRelations(r io.Reader) (map[string][]string, error) {
	var all []dpkgStanza
	var cur dpkgStanza
	installed := false
	field := ""
	flush := func() {
		if installed && cur.name != "" {
			all = append(all, cur)
		}
		cur, installed, field = dpkgStanza{}, false, ""
	}
	err := eachLine(r, func(line string) bool {
		if strings.TrimSpace(line) == "" {
			flush()
			return true
		}
		if line[0] == ' ' || line[0] == '\t' {
			if field == "Depends" || field == "Pre-Depends" {
				cur.depends = append(cur.depends, strings.Split(line, ",")...)
			}
			return true
		}
		name, value, ok := splitField(line, ':')
		if !ok {
			return true
		}
		field = name
		switch name {
		case "Package":
			cur.name = value
		case "Status":
			f := strings.Fields(value)
			installed = len(f) == 3 && f[2] == "installed"
		case "Depends", "Pre-Depends":
			cur.depends = append(cur.depends, strings.Split(value, ",")...)
		case "Provides":
			cur.provides = strings.Split(value, ",")
		}
		return true
	})
	flush()
	return resolveDpkg(all), err
}

// resolveDpkg turns each package's relation groups into the names of the
// installed packages that satisfy them.
func resolveDpkg(all []dpkgStanza) map[string][]string {
	provider := map[string]string{}
	for _, s := range all {
		provider[s.name] = s.name
	}
	for _, s := range all {
		for _, p := range s.provides {
			if v := relationName(p); v != "" && provider[v] == "" {
				provider[v] = s.name
			}
		}
	}
	out := map[string][]string{}
	for _, s := range all {
		var deps []string
		for _, group := range s.depends {
			for _, alt := range strings.Split(group, "|") {
				if p := provider[relationName(alt)]; p != "" {
					if p != s.name {
						deps = append(deps, p)
					}
					break
				}
			}
		}
		if len(deps) > 0 {
			slices.Sort(deps)
			out[s.name] = slices.Compact(deps)
		}
	}
	return out
}

// relationName is the package name of one dpkg relation, "libc6:any (>= 2.34)"
// giving "libc6".
func relationName(rel string) string {
	rel = strings.TrimSpace(rel)
	if i := strings.IndexAny(rel, " (:[<"); i >= 0 {
		rel = rel[:i]
	}
	return rel
}

package capture

import (
	"runtime"
	"sort"
)

// compare hashes every expected file (in parallel, reusing the digest of
// a file whose stamp has not changed) and sorts the differences into
// v.res.Check.
func (v *verifier) compare() {
	sort.SliceStable(v.expect, func(i, j int) bool { return v.expect[i].path < v.expect[j].path })
	exp := v.expect[:0]
	for i, e := range v.expect {
		if i == 0 || v.expect[i-1].path != e.path {
			exp = append(exp, e)
		}
	}
	paths := make([]string, len(exp))
	for i, e := range exp {
		paths[i] = e.path
	}
	stamps := statAll(paths)
	sums := make([]string, len(exp))
	parallel(len(exp), runtime.GOMAXPROCS(0), func(i int) {
		st, algo := stamps[i], algorithmOf(exp[i].sum)
		if !st.regular() {
			return
		}
		if j, ok := v.old[exp[i].path]; ok && v.prev.Stamps[j] == st && algorithmOf(v.prev.Sums[j]) == algo {
			sums[i] = v.prev.Sums[j]
			return
		}
		sums[i], _ = hashFile(exp[i].path, algo, st)
	})
	for i, e := range exp {
		if j, ok := v.index[e.path]; ok {
			v.state.Sums[j] = sums[i]
		} else {
			v.index[e.path] = len(v.state.Paths)
			v.state.Paths = append(v.state.Paths, e.path)
			v.state.Stamps = append(v.state.Stamps, stamps[i])
			v.state.Sums = append(v.state.Sums, sums[i])
		}
		c := ChangedFile{Manager: e.manager, Package: e.pkg, Version: e.version, Path: e.path, Expected: e.sum, Actual: sums[i]}
		switch {
		case sums[i] == "":
			v.res.Check.Missing = append(v.res.Check.Missing, c)
		case sums[i] != e.sum:
			v.res.Check.Modified = append(v.res.Check.Modified, c)
		}
	}
	v.res.Check.Files = len(exp)
}

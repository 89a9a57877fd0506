package flow

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// pathInput checks a project path: relative, inside the flow's folder and,
// when files are checked, existing and not leading outside through a
// symbolic link.
func (p *parser) pathInput(f *Flow, raw string, n *yaml.Node, field string) (Input, bool) {
	clean, msg := cleanRel(raw)
	if msg != "" {
		p.report(n, field, "give a path relative to the folder of the flow file, or register the data as a dataset", "%s", msg)
		return Input{}, false
	}
	if p.dir == "" {
		return Input{Kind: InputPath, Path: clean}, true
	}
	full := filepath.Join(p.dir, filepath.FromSlash(clean))
	if _, err := os.Stat(full); errors.Is(err, fs.ErrNotExist) {
		hint := didYouMean(raw, stepOutputs(f))
		if hint == "" {
			hint = "paths are relative to the folder of the flow file"
		}
		p.report(n, field, hint, "file %q does not exist", raw)
		return Input{}, false
	} else if err != nil {
		p.report(n, field, "", "cannot read %q: %v", raw, err)
		return Input{}, false
	}
	if !p.inside(full) {
		p.report(n, field, "copy the data into the project or register it as a dataset",
			"path %q leads outside the folder of the flow file through a symbolic link", raw)
		return Input{}, false
	}
	return Input{Kind: InputPath, Path: clean}, true
}

// exists reports whether the project path rel exists.
func (p *parser) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(p.dir, filepath.FromSlash(rel)))
	return err == nil
}

// inside reports whether full, with symbolic links resolved, stays inside
// the flow's folder.
func (p *parser) inside(full string) bool {
	root, err := filepath.EvalSymlinks(p.dir)
	if err != nil {
		return false
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, resolved)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// stepOutputs lists every STEP.OUTPUT of f, sorted.
func stepOutputs(f *Flow) []string {
	var refs []string
	for name, s := range f.Steps {
		for _, o := range s.Outputs {
			refs = append(refs, name+"."+o.Name)
		}
	}
	sort.Strings(refs)
	return refs
}

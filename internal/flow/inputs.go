package flow

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// inputs decodes a step's "inputs" mapping, sorted by name. It runs after
// every step's outputs are known, so references can be checked.
func (p *parser) inputs(f *Flow, n *yaml.Node, field string) []Input {
	var out []Input
	for _, e := range p.varNames(p.entries(n, field), field, "LOCKSTEP_INPUT_") {
		var in Input
		var ok bool
		if e.val.Kind == yaml.MappingNode {
			in, ok = p.explicitInput(f, e.val, field+"."+e.name)
		} else if ref, isStr := p.str(e.val, field+"."+e.name); isStr {
			in, ok = p.bareInput(f, ref, e.val, field+"."+e.name)
		}
		if ok {
			in.Name, in.Line = e.name, e.key.Line
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// bareInput resolves a reference written as a string: NAME@VERSION is a
// dataset, STEP.OUTPUT (STEP a step of this flow) an output, anything else a
// project path. A STEP.X that is not an output of STEP is taken as a path
// when such a file exists, or when files are not checked.
func (p *parser) bareInput(f *Flow, ref string, n *yaml.Node, field string) (Input, bool) {
	if strings.Contains(ref, "@") {
		return p.datasetInput(ref, n, field)
	}
	if name, output, dotted := strings.Cut(ref, "."); dotted {
		if s, isStep := f.Steps[name]; isStep {
			if hasOutput(s, output) {
				return Input{Kind: InputStep, Step: name, Output: output}, true
			}
			if p.dir != "" && !p.exists(ref) {
				p.report(n, field, outputHint(s, output), "step %q has no output %q", name, output)
				return Input{}, false
			}
		} else if p.dir != "" && !p.exists(ref) && p.didYouMean(ref, p.refs) == "" {
			// No such file, and no STEP.OUTPUT close to it: a misspelt
			// step reads better than a missing file.
			if hint := p.didYouMean(name, p.names); hint != "" {
				p.report(n, field, hint, "unknown step %q", name)
				return Input{}, false
			}
		}
	}
	return p.pathInput(ref, n, field)
}

// explicitInput decodes {path: P}, {step: S, output: O} or {dataset: NAME@VERSION}.
func (p *parser) explicitInput(f *Flow, n *yaml.Node, field string) (Input, bool) {
	m := p.fields(n, field, "path", "step", "output", "dataset")
	var forms []string
	for _, k := range []string{"path", "step", "dataset"} {
		if _, ok := m[k]; ok {
			forms = append(forms, k)
		}
	}
	if len(forms) != 1 {
		p.report(n, field, "write {path: FILE}, {step: STEP, output: OUTPUT} or {dataset: NAME@VERSION}",
			"want exactly one of path, step or dataset")
		return Input{}, false
	}
	if o, ok := m["output"]; ok && forms[0] != "step" {
		p.report(o.key, field, "output goes with step: {step: STEP, output: OUTPUT}", "output without step")
		return Input{}, false
	}
	e := m[forms[0]]
	value, ok := p.str(e.val, field+"."+e.name)
	if !ok {
		return Input{}, false
	}
	switch e.name {
	case "path":
		return p.pathInput(value, e.val, field)
	case "dataset":
		return p.datasetInput(value, e.val, field)
	}
	o, ok := m["output"]
	if !ok {
		p.report(n, field+".output", "add output: NAME, the output of that step to read", "required key is missing")
		return Input{}, false
	}
	output, ok := p.str(o.val, field+".output")
	if !ok {
		return Input{}, false
	}
	s, ok := f.Steps[value]
	if !ok {
		p.report(e.val, field, p.didYouMean(value, p.names), "unknown step %q", value)
		return Input{}, false
	}
	if !hasOutput(s, output) {
		p.report(o.val, field, outputHint(s, output), "step %q has no output %q", value, output)
		return Input{}, false
	}
	return Input{Kind: InputStep, Step: value, Output: output}, true
}

// datasetInput checks NAME@VERSION.
func (p *parser) datasetInput(ref string, n *yaml.Node, field string) (Input, bool) {
	name, version, _ := strings.Cut(ref, "@")
	switch {
	case !validName(flowNameRE, name):
		p.report(n, field, `dataset names use lowercase letters, digits, ".", "_" and "-"; for a file whose name holds "@", write {path: FILE}`,
			"invalid dataset name %q in %q", name, ref)
	case version == "" || strings.Contains(version, "/") || strings.IndexFunc(version, unicode.IsSpace) >= 0:
		p.report(n, field, "write NAME@VERSION, e.g. housing@2017-v2; versions hold no spaces or slashes",
			"invalid dataset version %q in %q", version, ref)
	default:
		return Input{Kind: InputDataset, Dataset: name, Version: version}, true
	}
	return Input{}, false
}

// hasOutput reports whether step s declares an output called name.
func hasOutput(s *Step, name string) bool {
	for _, o := range s.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// outputHint suggests an output of s close to name, or lists its outputs.
func outputHint(s *Step, name string) string {
	names := make([]string, len(s.Outputs))
	for i, o := range s.Outputs {
		names[i] = o.Name
	}
	if hint := didYouMean(name, names); hint != "" {
		return hint
	}
	if len(names) == 0 {
		return "it declares no outputs"
	}
	return "its outputs are: " + strings.Join(names, ", ")
}

// pathInput checks a project path: relative, inside the flow's folder and,
// when files are checked, existing and not leading outside through a
// symbolic link.
func (p *parser) pathInput(raw string, n *yaml.Node, field string) (Input, bool) {
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
		hint := p.didYouMean(raw, p.refs)
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

package flow

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// outputs decodes a step's "outputs" mapping, sorted by name.
func (p *parser) outputs(n *yaml.Node, field string) []Output {
	var out []Output
	for _, e := range p.varNames(p.entries(n, field), field, "") {
		f := field + "." + e.name
		o, ok := p.output(e, f)
		if !ok {
			continue
		}
		for _, prev := range out {
			if overlaps(prev.Path, o.Path) {
				p.report(e.val, f, "give each output its own path", "path %q overlaps output %q at %q", o.Path, prev.Name, prev.Path)
				ok = false
			}
		}
		if ok {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// output decodes one output: "PATH" or {path: PATH, kind: KIND}.
func (p *parser) output(e entry, field string) (Output, bool) {
	raw, kind, at := "", "", e.val
	if e.val.Kind == yaml.MappingNode {
		m := p.fields(e.val, field, "path", "kind")
		pe, ok := m["path"]
		if !ok {
			p.report(e.val, field+".path", `add path: FILE, or path: DIR/ for a directory`, "required key is missing")
			return Output{}, false
		}
		if raw, ok = p.str(pe.val, field+".path"); !ok {
			return Output{}, false
		}
		at = pe.val
		if ke, ok := m["kind"]; ok {
			if kind, ok = p.oneOf(ke.val, field+".kind", KindFile, KindDir, KindModel); !ok {
				return Output{}, false
			}
		}
	} else {
		var ok bool
		if raw, ok = p.str(e.val, field); !ok {
			return Output{}, false
		}
	}
	clean, msg := cleanRel(raw)
	if msg != "" {
		p.report(at, field, "write a path relative to $LOCKSTEP_OUTPUT_DIR", "%s", msg)
		return Output{}, false
	}
	isDir := strings.HasSuffix(raw, "/")
	switch {
	case kind == KindFile && isDir:
		p.report(at, field, `drop the "/" or use kind: dir`, "path %q ends with / but kind is file", raw)
		return Output{}, false
	case kind == "" && isDir:
		kind = KindDir
	case kind == "":
		kind = KindFile
	}
	return Output{Name: e.name, Path: clean, Kind: kind, Line: e.key.Line}, true
}

// cleanRel cleans a slash-separated relative path. It returns a message
// instead when the path is empty, absolute or leaves its folder.
func cleanRel(raw string) (string, string) {
	if strings.TrimSpace(raw) == "" {
		return "", "empty path"
	}
	if strings.ContainsRune(raw, 0) {
		return "", fmt.Sprintf("path %q contains a NUL byte", raw)
	}
	if path.IsAbs(raw) {
		return "", fmt.Sprintf("path %q is absolute", raw)
	}
	c := path.Clean(raw)
	switch {
	case c == ".":
		return "", fmt.Sprintf("path %q names the folder itself", raw)
	case c == ".." || strings.HasPrefix(c, "../"):
		return "", fmt.Sprintf("path %q leaves the folder", raw)
	}
	return c, ""
}

// overlaps reports whether a and b are the same path or one holds the other.
func overlaps(a, b string) bool {
	return a == b || strings.HasPrefix(b, a+"/") || strings.HasPrefix(a, b+"/")
}

// compare decodes a step's "compare" mapping: an output name or a file
// relative to an output, mapped to {rtol: R, atol: A}.
func (p *parser) compare(n *yaml.Node, field string) map[string]Tolerance {
	out := make(map[string]Tolerance)
	for _, e := range p.entries(n, field) {
		name, msg := cleanRel(e.name)
		if msg != "" {
			p.report(e.key, field, "name an output, or a file relative to an output", "%s", msg)
			continue
		}
		f := field + "." + e.name
		m := p.fields(e.val, f, "rtol", "atol")
		var t Tolerance
		ok := true
		for _, bound := range []struct {
			key string
			dst *float64
		}{{"rtol", &t.RTol}, {"atol", &t.ATol}} {
			b, set := m[bound.key]
			if !set {
				continue
			}
			v, valid := p.number(b.val, f+"."+bound.key)
			if valid && v < 0 {
				p.report(b.val, f+"."+bound.key, "a tolerance is 0 (exact) or more", "want 0 or more, got %v", v)
				valid = false
			}
			*bound.dst = v
			ok = ok && valid
		}
		if ok {
			out[name] = t
		}
	}
	return out
}

package flow

import (
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Known keys and values of the top level.
var (
	topKeys     = []string{"flow", "seed", "params", "code", "sandbox", "environment", "secrets", "signing", "trust", "formats", "steps"}
	trustRoles  = []string{"builders", "data-producers", "reviewers", "rebuilders"}
	formatNames = []string{"pickle"}
)

// maxSeed is the largest seed: LOCKSTEP_SEED is also PYTHONHASHSEED, which
// takes 0 to 4294967295.
const maxSeed = 1<<32 - 1

// flow decodes the top-level mapping.
func (p *parser) flow(root *yaml.Node) *Flow {
	f := &Flow{
		Sandbox: SandboxRequired,
		Trust:   make(map[string][]string),
		Formats: map[string]string{"pickle": FormatDeny},
		Steps:   make(map[string]*Step),
	}
	m := p.fields(root, "", topKeys...)
	if e, ok := m["flow"]; !ok {
		p.report(root, "flow", `add "flow: NAME" at the top`, "required key is missing")
	} else if name, ok := p.str(e.val, "flow"); ok {
		if !validName(flowNameRE, name) {
			p.report(e.val, "flow", flowNameHint, "invalid flow name %q", name)
		}
		f.Name = name
	}
	if e, ok := m["seed"]; ok {
		if seed, ok := p.integer(e.val, "seed"); ok {
			if seed < 0 || seed > maxSeed {
				p.report(e.val, "seed", "it is also PYTHONHASHSEED, which takes 0 to 4294967295", "seed %d is out of range", seed)
			}
			f.Seed = &seed
		}
	}
	f.Params = p.params(m["params"].val, "params")
	code := p.fields(m["code"].val, "code", "include", "exclude")
	f.Code.Include = p.patterns(code["include"].val, "code.include")
	f.Code.Exclude = p.patterns(code["exclude"].val, "code.exclude")
	if e, ok := m["sandbox"]; ok {
		f.Sandbox, _ = p.oneOf(e.val, "sandbox", SandboxRequired, SandboxNone)
	}
	env := p.fields(m["environment"].val, "environment", "archive", "paths")
	if e, ok := env["archive"]; ok {
		f.Environment.Archive, _ = p.boolean(e.val, "environment.archive")
	}
	f.Environment.Paths = p.absDirs(env["paths"].val, "environment.paths")
	f.Secrets = p.envNames(m["secrets"].val, "secrets")
	signing := p.fields(m["signing"].val, "signing", "key")
	if e, ok := signing["key"]; ok {
		f.Signing.Key = p.keyFile(e.val, "signing.key")
	}
	p.trust(f, m["trust"].val)
	formats := p.fields(m["formats"].val, "formats", formatNames...)
	for _, name := range formatNames {
		if e, ok := formats[name]; ok {
			f.Formats[name], _ = p.oneOf(e.val, "formats."+name, FormatDeny, FormatAllowSafe, FormatAllow)
		}
	}
	if e, ok := m["steps"]; !ok {
		p.report(root, "steps", "add steps: with at least one step, see lockstep init", "required key is missing")
	} else {
		p.steps(f, e.val)
	}
	return f
}

// trust decodes the "trust" mapping: role -> list of public key files.
func (p *parser) trust(f *Flow, n *yaml.Node) {
	for _, e := range p.entries(n, "trust") {
		if !slices.Contains(trustRoles, e.name) {
			hint := p.didYouMean(e.name, trustRoles)
			if hint == "" {
				hint = "roles are " + orList(trustRoles)
			}
			p.report(e.key, "trust", hint, "unknown role %q", e.name)
			continue
		}
		var keys []string
		for i, item := range p.list(e.val, "trust."+e.name) {
			if k := p.keyFile(item, index("trust."+e.name, i)); k != "" {
				keys = append(keys, k)
			}
		}
		f.Trust[e.name] = keys
	}
}

// keyFile decodes a path to a file, relative to the flow's folder unless absolute.
func (p *parser) keyFile(n *yaml.Node, field string) string {
	s, ok := p.str(n, field)
	if !ok {
		return ""
	}
	if strings.TrimSpace(s) == "" || strings.ContainsRune(s, 0) {
		p.report(n, field, "give a file path, relative to the folder of the flow file", "empty path")
		return ""
	}
	return path.Clean(s)
}

// absDirs decodes a list of absolute directories.
func (p *parser) absDirs(n *yaml.Node, field string) []string {
	var out []string
	for i, item := range p.list(n, field) {
		s, ok := p.str(item, index(field, i))
		if !ok {
			continue
		}
		if !path.IsAbs(s) || strings.ContainsRune(s, 0) {
			p.report(item, index(field, i), "write the full path, e.g. /opt/tools", "want an absolute directory, got %q", s)
			continue
		}
		out = append(out, path.Clean(s))
	}
	return out
}

// patterns decodes a list of gitignore-style patterns.
func (p *parser) patterns(n *yaml.Node, field string) []string {
	var out []string
	for i, item := range p.list(n, field) {
		s, ok := p.str(item, index(field, i))
		if !ok {
			continue
		}
		if _, err := path.Match(strings.ReplaceAll(s, "**", "*"), ""); err != nil || strings.TrimSpace(s) == "" {
			p.report(item, index(field, i), `use gitignore patterns like "*.py" or "src/**"`, "invalid pattern %q", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// maxFileSize bounds a policy file and each Rego file it names.
const maxFileSize = 1 << 20

// Load reads and checks the policy file at path, loading the keys and Rego
// files it names (relative to the policy file's folder).
func Load(path string) (*Policy, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return Parse(path, b)
}

// Parse checks the policy source b read from path. Keys and Rego files are
// read relative to path's folder. Every mistake is an *Error (wrapping
// ErrInvalid) naming the file, the line and the fix.
func Parse(path string, b []byte) (*Policy, error) {
	r := &reader{file: path}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, r.errorf(nil, "empty policy file; start it with apiVersion: %s and kind: %s", APIVersion, Kind)
		}
		return nil, &Error{File: path, Msg: "not valid YAML: " + err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, r.errorf(&doc, "empty policy file")
	}
	top, err := r.fields(doc.Content[0], "the policy", "apiVersion", "kind", "authorities", "require", "admission", "rego")
	if err != nil {
		return nil, err
	}
	if err := r.header(doc.Content[0], top); err != nil {
		return nil, err
	}
	p := &Policy{Path: path, Authorities: map[string][]*attest.PublicKey{}}
	if n := top["authorities"]; n != nil {
		if err := r.authorities(n, filepath.Dir(path), p); err != nil {
			return nil, err
		}
	}
	if n := top["require"]; n != nil {
		if err := r.require(n, p); err != nil {
			return nil, err
		}
	}
	if n := top["admission"]; n != nil {
		if err := r.admission(n, p); err != nil {
			return nil, err
		}
	}
	if n := top["rego"]; n != nil {
		if err := r.rego(n, filepath.Dir(path), p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// admission reads the admission: section.
func (r *reader) admission(n *yaml.Node, p *Policy) error {
	f, err := r.fields(n, "admission", "requireModel", "allowTags")
	if err != nil {
		return err
	}
	for _, b := range []struct {
		key string
		v   *bool
	}{{"requireModel", &p.Admission.RequireModel}, {"allowTags", &p.Admission.AllowTags}} {
		if v := f[b.key]; v != nil {
			if *b.v, err = r.boolean(v, "admission."+b.key); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *reader) header(n *yaml.Node, top map[string]*yaml.Node) error {
	v, k := top["apiVersion"], top["kind"]
	if v == nil || k == nil {
		return r.errorf(n, "a policy starts with apiVersion: %s and kind: %s", APIVersion, Kind)
	}
	if _, err := r.oneOf(v, "apiVersion", APIVersion); err != nil {
		return err
	}
	_, err := r.oneOf(k, "kind", Kind)
	return err
}

// authorities loads each role's keys.
func (r *reader) authorities(n *yaml.Node, dir string, p *Policy) error {
	keys, vals, err := r.entries(n, "authorities")
	if err != nil {
		return err
	}
	for i, k := range keys {
		role := k.Value
		if role == "" {
			return r.errorf(k, "a role in authorities has no name")
		}
		files, nodes, err := r.strings(vals[i], "authorities."+role)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return r.errorf(vals[i], "role %q lists no keys; name at least one public key file", role)
		}
		for j, f := range files {
			path := f
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, f)
			}
			key, err := attest.LoadPublicKey(path)
			if err != nil {
				return r.errorf(nodes[j], "key %s of role %q: %v (write the path of a PEM public key, relative to the policy file)", f, role, err)
			}
			key.Name = f
			p.Authorities[role] = append(p.Authorities[role], key)
		}
		p.Roles = append(p.Roles, role)
	}
	return nil
}

// role reads a role name that must be one of the authorities.
func (r *reader) role(n *yaml.Node, where string, p *Policy) (string, error) {
	s, err := r.str(n, where)
	if err != nil {
		return "", err
	}
	if _, ok := p.Authorities[s]; !ok {
		known := "none are defined"
		if len(p.Roles) > 0 {
			known = "defined: " + fmt.Sprint(p.Roles)
		}
		return "", r.errorf(n, "%s names role %q, which authorities does not define (%s)", where, s, known)
	}
	return s, nil
}

func (r *reader) rego(n *yaml.Node, dir string, p *Policy) error {
	files, nodes, err := r.strings(n, "rego")
	if err != nil {
		return err
	}
	for i, f := range files {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, f)
		}
		b, err := readSmall(path)
		if err != nil {
			return r.errorf(nodes[i], "rego file %s: %v", f, err)
		}
		p.Rego = append(p.Rego, RegoModule{Path: f, Source: string(b)})
	}
	if len(p.Rego) > 0 {
		if _, err := compileRego(p.Rego); err != nil {
			return r.errorf(n, "%v", err)
		}
	}
	return nil
}

// readSmall reads a file of at most maxFileSize bytes.
func readSmall(path string) ([]byte, error) { return core.ReadFileLimited(path, maxFileSize) }

package flow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"lockstep.dev/lockstep/internal/core"
)

// Load reads and parses the flow file at path. Path inputs are checked
// against the file's folder: they must exist and stay inside it.
func Load(path string) (*Flow, error) {
	if err := core.CheckRegular(path); err != nil {
		return nil, fmt.Errorf("open flow %s: %w", path, err)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open flow %s: %w", path, err)
	}
	defer fh.Close()
	// Read one byte past the limit so Parse can report an oversized file
	// without the whole of it being read into memory.
	data, err := io.ReadAll(io.LimitReader(fh, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read flow %s: %w", path, err)
	}
	return Parse(path, data, filepath.Dir(path))
}

// Parse parses and validates the flow file bytes data. file names the file
// in error messages and becomes Flow.File. dir is the folder path inputs
// are relative to; when it is "" inputs are not looked up on disk (for a
// flow file read back from the store, say). Every problem found is
// returned together, as an ErrorList sorted by line.
func Parse(file string, data []byte, dir string) (*Flow, error) {
	p := &parser{file: file}
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("parse flow %s: folder %s: %w", file, dir, err)
		}
		p.dir = abs
	}
	root := p.document(data)
	if root == nil {
		return nil, p.errs
	}
	f := p.flow(root)
	p.cycles(f)
	if len(p.errs) > 0 {
		p.errs.sort()
		if p.dropped > 0 {
			p.errs = append(p.errs, &Error{File: file, Msg: fmt.Sprintf("%d more problems not shown", p.dropped), Hint: "fix the ones above first"})
		}
		return nil, p.errs
	}
	f.File, f.Dir, f.Digest = file, p.dir, core.DigestOf(data)
	return f, nil
}

// MaxSize is the largest flow file lockstep reads, in bytes.
const MaxSize = 1 << 20

// maxDepth bounds the nesting of a flow file; the format needs far less.
const maxDepth = 64

// yamlLineRE picks the line out of a yaml.v3 syntax error.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the yaml.v3 parser (not scanner) errors, with a hint.
// yaml.v3 numbers their lines from 0 (scanner errors from 1), and for those
// raised inside a block it gives the line where the block starts.
var parserProblems = map[string]string{
	"did not find expected ',' or ']'":       inBlock,
	"did not find expected ',' or '}'":       inBlock,
	"did not find expected '-' indicator":    inBlock,
	"did not find expected key":              inBlock,
	"did not find expected node content":     inBlock,
	"did not find expected <document start>": "",
	"did not find expected <stream-start>":   "",
	"found duplicate %TAG directive":         "",
	"found duplicate %YAML directive":        "",
	"found incompatible YAML document":       "",
	"found undefined tag handle":             "",
}

const inBlock = "in the block that starts on this line; check its indentation and brackets"

// document reads the YAML of a flow file and returns its top-level node,
// or nil after reporting why it cannot be used. Anchors and aliases are
// refused, so a small file cannot expand into a huge one.
func (p *parser) document(data []byte) *yaml.Node {
	if len(data) > MaxSize {
		p.report(nil, "", "a flow file holds settings, not data; keep it under 1 MiB",
			"the file is %d bytes, more than the limit of %d", len(data), MaxSize)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.report(nil, "", `start from "lockstep init"`, "the file is empty")
		} else {
			p.syntaxError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.report(&extra, "", `remove the "---" and what follows`, "a flow file holds one YAML document, found a second")
		return nil
	} else if !errors.Is(err, io.EOF) {
		p.syntaxError(err)
		return nil
	}
	if !p.plain(&doc, 0) {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		if isNull(root) {
			p.report(root, "", `start from "lockstep init"`, "the file is empty")
		} else {
			p.report(root, "", "write keys such as flow: and steps:", "want a mapping of keys, got %s", describe(root))
		}
		return nil
	}
	return root
}

// syntaxError reports a YAML syntax error at the line it names.
func (p *parser) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var at *yaml.Node
	hint := ""
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil {
			h, parserProblem := parserProblems[m[2]]
			if parserProblem {
				line++
			}
			at, msg, hint = &yaml.Node{Line: line}, m[2], h
		}
	}
	p.report(at, "", hint, "invalid YAML: %s", msg)
}

// plain reports anchors, aliases, custom tags and deep nesting below n. It
// returns whether none were found.
func (p *parser) plain(n *yaml.Node, depth int) bool {
	switch {
	case depth > maxDepth:
		p.report(n, "", "", "nested more than %d levels deep", maxDepth)
		return false
	case n.Kind == yaml.AliasNode || n.Anchor != "":
		p.report(n, "", "write the value out in full", "YAML anchors and aliases (&, *) are not allowed in a flow file")
		return false
	case n.Tag != "" && n.Tag != "!" && !strings.HasPrefix(n.Tag, "!!"):
		p.report(n, "", "remove the tag", "YAML tag %s is not allowed in a flow file", n.Tag)
		return false
	}
	ok := true
	for _, c := range n.Content {
		if !p.plain(c, depth+1) {
			ok = false
			if len(p.errs) >= 20 {
				break
			}
		}
	}
	return ok
}

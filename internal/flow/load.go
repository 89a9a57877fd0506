package flow

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
)

// Load reads and parses the flow file at path. Path inputs are checked
// against the file's folder: they must exist and stay inside it.
func Load(path string) (*Flow, error) {
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
		return nil, p.errs
	}
	f.File, f.Dir, f.Digest = file, p.dir, core.DigestOf(data)
	return f, nil
}

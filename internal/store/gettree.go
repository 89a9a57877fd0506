package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"

	"lockstep.dev/lockstep/internal/core"
)

// ErrBadTree is wrapped by GetTree when an object is not a valid tree
// manifest.
var ErrBadTree = errors.New("not a valid tree manifest")

// GetTree reads, verifies and validates the tree manifest d.
func (s *Store) GetTree(d core.Digest) (*core.Tree, error) {
	r, err := s.Open(d)
	if err != nil {
		return nil, fmt.Errorf("get tree: %w", err)
	}
	defer r.Close()
	t, err := decodeTree(r)
	if err != nil {
		return nil, fmt.Errorf("get tree %s: %w", d, err)
	}
	return t, nil
}

// decodeTree reads one tree manifest from untrusted bytes: strict JSON
// (no unknown fields, nothing after the manifest), core's validation, a
// check that no entry lies under a file or a symlink, that no chain of
// symlinks leads outside the tree (checkLinks), and a check that the
// bytes are the manifest's canonical encoding, so that one tree has exactly
// one digest and every JSON parser reads it the same way. It reads r to
// EOF, so a verifying reader gets to report corruption.
func decodeTree(r io.Reader) (*core.Tree, error) {
	h := core.NewHash()
	r = io.TeeReader(r, h)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var t core.Tree
	if err := dec.Decode(&t); err != nil {
		drainErr := drain(r)
		if errors.Is(drainErr, ErrCorrupt) {
			return nil, drainErr
		}
		return nil, fmt.Errorf("%w: %v", ErrBadTree, err)
	}
	if err := drain(io.MultiReader(dec.Buffered(), r)); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTree, err)
	}
	if err := checkNesting(&t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTree, err)
	}
	if err := checkLinks(&t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTree, err)
	}
	if core.DigestOf(treeJSON(&t)) != core.DigestFromSum(h.Sum(nil)) {
		return nil, fmt.Errorf("%w: not in canonical form (sorted keys, no white space)", ErrBadTree)
	}
	return &t, nil
}

// drain reads r to EOF and fails if anything but white space is left.
func drain(r io.Reader) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	trailing := false
	for {
		n, err := r.Read(*bp)
		if len(bytes.TrimSpace((*bp)[:n])) > 0 {
			trailing = true
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if trailing {
		return fmt.Errorf("%w: data after the manifest", ErrBadTree)
	}
	return nil
}

// checkNesting refuses entries under a file or a symlink: materialising
// them would write through the link or fail half-way.
func checkNesting(t *core.Tree) error {
	leaves := map[string]bool{}
	for _, e := range t.Entries {
		if e.Kind != core.KindDir {
			leaves[e.Path] = true
		}
	}
	for _, e := range t.Entries {
		for p := path.Dir(e.Path); p != "."; p = path.Dir(p) {
			if leaves[p] {
				return fmt.Errorf("tree entry %q lies under %q, which is not a directory", e.Path, p)
			}
		}
	}
	return nil
}

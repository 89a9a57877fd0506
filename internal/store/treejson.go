package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"lockstep.dev/lockstep/internal/core"
)

// canonEntry and canonTree mirror core.TreeEntry and core.Tree with their
// fields in key order, so encoding/json writes them canonically in one
// pass. core.CanonicalJSON gives the same bytes (a test holds them equal)
// but goes through a generic decode, too slow for trees of many files.
type canonEntry struct {
	Digest core.Digest `json:"digest,omitempty"`
	Kind   string      `json:"kind"`
	Mode   uint32      `json:"mode"`
	Path   string      `json:"path"`
	Size   int64       `json:"size"`
	Target string      `json:"target,omitempty"`
}

type canonTree struct {
	Entries []canonEntry `json:"entries"`
	Type    string       `json:"type"`
}

// treeJSON returns the canonical JSON encoding of t.
func treeJSON(t *core.Tree) ([]byte, error) {
	ct := canonTree{Type: t.Type}
	if t.Entries != nil { // nil encodes as null, as CanonicalJSON has it
		ct.Entries = make([]canonEntry, len(t.Entries))
	}
	for i, e := range t.Entries {
		ct.Entries[i] = canonEntry{Digest: e.Digest, Kind: e.Kind, Mode: e.Mode, Path: e.Path, Size: e.Size, Target: e.Target}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ct); err != nil {
		return nil, fmt.Errorf("encode tree: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

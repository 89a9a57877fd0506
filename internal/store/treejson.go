package store

import (
	"bytes"
	"encoding/json"
	"strconv"

	"lockstep.dev/lockstep/internal/core"
)

// treeJSON returns the canonical JSON encoding of t: keys in order, no
// spaces, strings escaped as encoding/json escapes them without HTML
// escaping. core.CanonicalJSON gives the same bytes (a fuzz test holds
// them equal) but goes through reflection and a generic decode, too slow
// for trees of many files.
func treeJSON(t *core.Tree) []byte {
	b := make([]byte, 0, 64+len(t.Entries)*128)
	if t.Entries == nil { // nil encodes as null, as CanonicalJSON has it
		b = append(b, `{"entries":null`...)
	} else {
		b = append(b, `{"entries":[`...)
		for i, e := range t.Entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if e.Digest != "" {
				b = append(b, `"digest":`...)
				b = appendJSONString(b, string(e.Digest))
				b = append(b, ',')
			}
			b = append(b, `"kind":`...)
			b = appendJSONString(b, e.Kind)
			b = append(b, `,"mode":`...)
			b = strconv.AppendUint(b, uint64(e.Mode), 10)
			b = append(b, `,"path":`...)
			b = appendJSONString(b, e.Path)
			b = append(b, `,"size":`...)
			b = strconv.AppendInt(b, e.Size, 10)
			if e.Target != "" {
				b = append(b, `,"target":`...)
				b = appendJSONString(b, e.Target)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"type":`...)
	b = appendJSONString(b, t.Type)
	b = append(b, '}')
	return b
}

// appendJSONString appends s as a JSON string. Printable ASCII other than
// quote and backslash is copied as is; any other string goes through
// encoding/json (HTML escaping off) so that escapes match it byte for byte.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// TreeDigest returns the digest t has once stored, without storing it.
func TreeDigest(t *core.Tree) core.Digest {
	return core.DigestOf(treeJSON(t))
}

package maintain

import (
	"bytes"
	"encoding/json"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom/osv"
	"lockstep.dev/lockstep/internal/store"
)

// maxRecordSize bounds the objects read as records while marking.
const maxRecordSize = 16 << 20

// recordType returns the "type" of a lockstep record, or "" when b is not one.
func recordType(b []byte) string {
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b[:min(len(b), 4096)], []byte(`"lockstep.`)) {
		return ""
	}
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &head) != nil || !strings.HasPrefix(head.Type, "lockstep.") {
		return ""
	}
	return head.Type
}

// refs returns every digest a record names.
func refs(b []byte) []core.Digest {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var out []core.Digest
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if strings.HasPrefix(x, core.DigestPrefix) {
				if d, err := core.ParseDigest(x); err == nil {
					out = append(out, d)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// mark returns every object reachable from roots, and the references
// (object → who named it) that are missing from the store.
func mark(st *store.Store, roots []core.Digest) (map[core.Digest]bool, map[core.Digest]core.Digest) {
	live := map[core.Digest]bool{}
	missing := map[core.Digest]core.Digest{}
	type item struct{ d, from core.Digest }
	queue := make([]item, 0, len(roots))
	for _, r := range roots {
		queue = append(queue, item{r, ""})
	}
	for len(queue) > 0 {
		it := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if live[it.d] {
			continue
		}
		size, err := st.Size(it.d)
		if err != nil {
			missing[it.d] = it.from
			continue
		}
		live[it.d] = true
		if size > maxRecordSize || !startsWithBrace(st, it.d) {
			continue
		}
		b, err := st.ReadBytes(it.d)
		if err != nil {
			continue
		}
		// A dependency audit names the advisory exports by sha256, which
		// are not objects; the environments it names are kept by their
		// task records.
		if t := recordType(b); t == "" || t == osv.ReportType {
			continue
		}
		for _, r := range refs(b) {
			if !live[r] {
				queue = append(queue, item{r, it.d})
			}
		}
	}
	return live, missing
}

// startsWithBrace reports whether an object's first byte is '{', so that
// data files are not read whole just to learn they are not records.
func startsWithBrace(st *store.Store, d core.Digest) bool {
	rc, err := st.Open(d)
	if err != nil {
		return false
	}
	defer rc.Close()
	var b [1]byte
	n, _ := rc.Read(b[:])
	return n == 1 && b[0] == '{'
}

package core

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// CanonicalJSON encodes v deterministically: object keys sorted, no
// insignificant white space, no HTML escaping, numbers kept exactly as
// encoding/json wrote them. Equal values always give equal bytes, so the
// digest of the result names the value.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := marshalNoEscape(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return marshalNoEscape(generic)
}

// DigestJSON returns the canonical encoding of v and its digest.
func DigestJSON(v any) ([]byte, Digest, error) {
	b, err := CanonicalJSON(v)
	if err != nil {
		return nil, "", err
	}
	return b, DigestOf(b), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

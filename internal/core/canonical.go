package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// CanonicalJSON encodes v deterministically: object keys sorted, no
// insignificant white space, no HTML escaping, numbers kept exactly as
// encoding/json wrote them. Equal values always give equal bytes, so the
// digest of the result names the value.
//
// It is what encoding v, decoding that into generic values (numbers as
// json.Number) and encoding those again gives, but done in one pass over
// the first encoding that only reorders object members: records such as
// an environment with a thousand packages are encoded for every task.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := EncodeJSON(v)
	if err != nil {
		return nil, err
	}
	return Canonicalize(raw)
}

// EncodeJSON is encoding/json's encoding of v without HTML escaping: the
// first step of CanonicalJSON. One value always gives the same bytes, so
// a caller may remember what Canonicalize made of them. A Preencoded
// value gives its own.
func EncodeJSON(v any) ([]byte, error) {
	if p, ok := v.(Preencoded); ok {
		return p.PreencodedJSON()
	}
	return marshalNoEscape(v)
}

// Preencoded is a value that gives its own JSON encoding, as EncodeJSON
// does: a record holding a large part that never changes (a host's
// thousand OS packages) splices in that part's encoding, made once,
// instead of having encoding/json encode and then re-check it for every
// task. The bytes must have the canonical form of the value's own
// encoding; they are taken unchecked, and canonicalising them fails if
// they are not JSON.
type Preencoded interface {
	PreencodedJSON() ([]byte, error)
}

// Canonicalize returns the canonical form (see CanonicalJSON) of JSON that
// EncodeJSON wrote.
func Canonicalize(raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		return canonicalGeneric(raw)
	}
	out, rest, err := canonicalValue(make([]byte, 0, len(raw)), raw)
	if err != nil || len(skipSpace(rest)) != 0 {
		return canonicalGeneric(raw)
	}
	return out, nil
}

// canonicalGeneric canonicalises raw by decoding it into generic values
// and encoding them again: the definition CanonicalJSON follows, used for
// what its one pass does not handle (invalid UTF-8).
func canonicalGeneric(raw []byte) ([]byte, error) {
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

var errNotJSON = errors.New("canonical json: not valid JSON")

// canonicalValue appends the canonical form of the JSON value at the
// start of src to dst and returns what follows it.
func canonicalValue(dst, src []byte) ([]byte, []byte, error) {
	src = skipSpace(src)
	if len(src) == 0 {
		return nil, nil, errNotJSON
	}
	switch src[0] {
	case '{':
		return canonicalObject(dst, src)
	case '[':
		return canonicalArray(dst, src)
	case '"':
		s, rest, err := scanString(src)
		if err != nil {
			return nil, nil, err
		}
		out, err := appendRawString(dst, s)
		return out, rest, err
	default:
		n := scanLiteral(src)
		if n == 0 {
			return nil, nil, errNotJSON
		}
		return append(dst, src[:n]...), src[n:], nil
	}
}

// member is one member of an object: its key decoded and its value's
// bytes as written.
type member struct {
	key   string
	value []byte
}

func canonicalObject(dst, src []byte) ([]byte, []byte, error) {
	src = skipSpace(src[1:])
	var members []member
	for len(src) > 0 && src[0] != '}' {
		if len(members) > 0 {
			if src[0] != ',' {
				return nil, nil, errNotJSON
			}
			src = skipSpace(src[1:])
		}
		rawKey, rest, err := scanString(src)
		if err != nil {
			return nil, nil, err
		}
		key, err := decodeString(rawKey)
		if err != nil {
			return nil, nil, err
		}
		rest = skipSpace(rest)
		if len(rest) == 0 || rest[0] != ':' {
			return nil, nil, errNotJSON
		}
		value := skipSpace(rest[1:])
		after, err := skipValue(value)
		if err != nil {
			return nil, nil, err
		}
		members = append(members, member{key, value[:len(value)-len(after)]})
		src = skipSpace(after)
	}
	if len(src) == 0 {
		return nil, nil, errNotJSON
	}
	// Sorted by key, the last of equal keys kept (as decoding does).
	slices.SortStableFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	first := true
	for i, m := range members {
		if i+1 < len(members) && members[i+1].key == m.key {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		var err error
		if dst, err = appendKey(dst, m.key); err != nil {
			return nil, nil, err
		}
		dst = append(dst, ':')
		if dst, _, err = canonicalValue(dst, m.value); err != nil {
			return nil, nil, err
		}
	}
	return append(dst, '}'), src[1:], nil
}

func canonicalArray(dst, src []byte) ([]byte, []byte, error) {
	src = skipSpace(src[1:])
	dst = append(dst, '[')
	for n := 0; len(src) > 0 && src[0] != ']'; n++ {
		if n > 0 {
			if src[0] != ',' {
				return nil, nil, errNotJSON
			}
			dst = append(dst, ',')
			src = src[1:]
		}
		var err error
		if dst, src, err = canonicalValue(dst, src); err != nil {
			return nil, nil, err
		}
		src = skipSpace(src)
	}
	if len(src) == 0 {
		return nil, nil, errNotJSON
	}
	return append(dst, ']'), src[1:], nil
}

// skipSpace drops JSON white space at the start of b.
func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

// scanString returns the string token (quotes included) at the start of
// src and what follows it.
func scanString(src []byte) ([]byte, []byte, error) {
	if len(src) == 0 || src[0] != '"' {
		return nil, nil, errNotJSON
	}
	for i := 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return src[:i+1], src[i+1:], nil
		}
	}
	return nil, nil, errNotJSON
}

// scanLiteral returns the length of the number, true, false or null at
// the start of src, 0 when there is none.
func scanLiteral(src []byte) int {
	n := 0
	for n < len(src) && (src[n] == '-' || src[n] == '+' || src[n] == '.' ||
		src[n] >= '0' && src[n] <= '9' || src[n] >= 'a' && src[n] <= 'z' || src[n] == 'E') {
		n++
	}
	return n
}

// skipValue returns what follows the JSON value at the start of src.
func skipValue(src []byte) ([]byte, error) {
	src = skipSpace(src)
	if len(src) == 0 {
		return nil, errNotJSON
	}
	switch src[0] {
	case '"':
		_, rest, err := scanString(src)
		return rest, err
	case '{', '[':
		depth := 0
		for i := 0; i < len(src); i++ {
			switch src[i] {
			case '"':
				_, rest, err := scanString(src[i:])
				if err != nil {
					return nil, err
				}
				i = len(src) - len(rest) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return src[i+1:], nil
				}
			}
		}
		return nil, errNotJSON
	default:
		n := scanLiteral(src)
		if n == 0 {
			return nil, errNotJSON
		}
		return src[n:], nil
	}
}

// plain reports whether encoding/json writes s between quotes unchanged:
// no quote, backslash, control character, U+2028 or U+2029.
func plain[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9):
			return false
		}
	}
	return true
}

// decodeString returns the value of a string token.
func decodeString(raw []byte) (string, error) {
	if inner := raw[1 : len(raw)-1]; plain(inner) {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errNotJSON
	}
	return s, nil
}

// appendRawString appends a string token as encoding/json writes its
// value.
func appendRawString(dst, raw []byte) ([]byte, error) {
	if plain(raw[1 : len(raw)-1]) {
		return append(dst, raw...), nil
	}
	s, err := decodeString(raw)
	if err != nil {
		return nil, err
	}
	return appendKey(dst, s)
}

// appendKey appends s encoded as encoding/json writes it.
func appendKey(dst []byte, s string) ([]byte, error) {
	if plain(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"'), nil
	}
	b, err := marshalNoEscape(s)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

package scan

import (
	"fmt"
	"strconv"
	"strings"
)

// pyLit is a parsed Python literal: string, int64, bool, nil, []pyLit
// (tuple or list) or map[string]pyLit (dict with string keys).
type pyLit any

// parsePyLiteral parses the Python literal subset used by .npy headers.
func parsePyLiteral(s string) (pyLit, error) {
	p := &pyParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at column %d", p.s[p.i], p.i+1)
	}
	return v, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value(depth int) (pyLit, error) {
	if depth > 32 {
		return nil, fmt.Errorf("literal nested deeper than 32 levels")
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("unexpected end of header")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '(' || c == '[':
		return p.seq(depth, map[byte]byte{'(': ')', '[': ']'}[c])
	case c == '{':
		return p.dict(depth)
	case c == '-' || (c >= '0' && c <= '9'):
		j := p.i + 1
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(p.s[p.i:j], "L"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad integer at column %d: %w", p.i+1, err)
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		return n, nil
	}
	for word, v := range map[string]pyLit{"True": true, "False": false, "None": nil} {
		if strings.HasPrefix(p.s[p.i:], word) {
			p.i += len(word)
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q at column %d", p.s[p.i], p.i+1)
}

func (p *pyParser) str() (pyLit, error) {
	q := p.s[p.i]
	j := p.i + 1
	for j < len(p.s) && p.s[j] != q {
		if p.s[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(p.s) {
		return nil, fmt.Errorf("unterminated string at column %d", p.i+1)
	}
	s := p.s[p.i+1 : j]
	p.i = j + 1
	return s, nil
}

func (p *pyParser) seq(depth int, end byte) (pyLit, error) {
	p.i++
	out := []pyLit{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return out, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if err := p.sep(end); err != nil {
			return nil, err
		}
	}
}

func (p *pyParser) dict(depth int) (pyLit, error) {
	p.i++
	out := map[string]pyLit{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return out, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("dict key at column %d is not a string", p.i)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, fmt.Errorf("missing ':' at column %d", p.i+1)
		}
		p.i++
		if out[ks], err = p.value(depth + 1); err != nil {
			return nil, err
		}
		if err := p.sep('}'); err != nil {
			return nil, err
		}
	}
}

// sep consumes a ',' or leaves the closing bracket for the caller.
func (p *pyParser) sep(end byte) error {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ',' {
		p.i++
		return nil
	}
	if p.i < len(p.s) && p.s[p.i] == end {
		return nil
	}
	return fmt.Errorf("expected ',' or %q at column %d", end, p.i+1)
}

package reproduce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// Tolerance bounds the difference accepted between an original number a
// and a rerun's b: |a-b| <= ATol + RTol*|a|. The zero Tolerance asks for
// equality.
type Tolerance struct {
	RTol float64 `json:"rtol"`
	ATol float64 `json:"atol"`
}

// Within reports whether b is within the tolerance of a.
func (t Tolerance) Within(a, b float64) bool {
	if a == b {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= t.ATol+t.RTol*math.Abs(a)
}

// maxJSONBytes bounds the JSON documents compared structurally: bigger ones
// are compared by digest only.
const maxJSONBytes = 16 << 20

var errTooBig = errors.New("too big to compare structurally")

// decodeJSON reads one JSON document (numbers kept exact) from r, refusing
// more than maxJSONBytes and trailing data.
func decodeJSON(r io.Reader) (any, error) {
	lr := &io.LimitedReader{R: r, N: maxJSONBytes + 1}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if lr.N <= 0 {
			return nil, errTooBig
		}
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if lr.N <= 0 {
			return nil, errTooBig
		}
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// diffJSON lists every leaf that differs between JSON values a and b: keys
// added or removed, values changed, numbers with their delta and whether it
// is within tol. Paths read like "scores.f1" and "coef[0][2]".
func diffJSON(a, b any, tol Tolerance) []ValueChange {
	var out []ValueChange
	walkJSON("", a, b, tol, &out)
	return out
}

func walkJSON(p string, a, b any, tol Tolerance, out *[]ValueChange) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(av)+len(bv))
			for k := range av {
				keys = append(keys, k)
			}
			for k := range bv {
				if _, ok := av[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				x, inA := av[k]
				y, inB := bv[k]
				switch {
				case inA && inB && sameLeaf(x, y):
				case !inA:
					*out = append(*out, ValueChange{Name: joinKey(p, k), To: render(y)})
				case !inB:
					*out = append(*out, ValueChange{Name: joinKey(p, k), From: render(x)})
				default:
					walkJSON(joinKey(p, k), x, y, tol, out)
				}
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			for i := 0; i < len(av) || i < len(bv); i++ {
				if i < len(av) && i < len(bv) && sameLeaf(av[i], bv[i]) {
					continue
				}
				q := p + "[" + strconv.Itoa(i) + "]"
				switch {
				case i >= len(av):
					*out = append(*out, ValueChange{Name: q, To: render(bv[i])})
				case i >= len(bv):
					*out = append(*out, ValueChange{Name: q, From: render(av[i])})
				default:
					walkJSON(q, av[i], bv[i], tol, out)
				}
			}
			return
		}
	case json.Number:
		if bv, ok := b.(json.Number); ok {
			if av == bv {
				return
			}
			*out = append(*out, numberChange(p, string(av), string(bv), tol))
			return
		}
	}
	if ra, rb := render(a), render(b); ra != rb {
		*out = append(*out, ValueChange{Name: p, From: ra, To: rb})
	}
}

// sameLeaf reports whether a and b are the same number, string, bool or
// null, without building a path for them.
func sameLeaf(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// numberChange compares two numbers written differently.
func numberChange(name, a, b string, tol Tolerance) ValueChange {
	c := ValueChange{Name: name, From: a, To: b}
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		d := y - x
		c.Delta = &d
		c.Within = tol.Within(x, y)
	}
	return c
}

func joinKey(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// render writes a JSON value compactly for people, cut at 60 characters.
func render(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := string(bytes.TrimSpace(buf.Bytes()))
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// verdictOf is Reproduced for no changes, WithinTolerance when every change
// is a number within tolerance, else Differs.
func verdictOf(changes []ValueChange) Verdict {
	v := Reproduced
	for _, c := range changes {
		if c.Within {
			v = worse(v, WithinTolerance)
		} else {
			return Differs
		}
	}
	return v
}

// String renders the change: "accuracy: 0.95 -> 0.96 (+0.01)".
func (c ValueChange) String() string {
	switch {
	case c.From == "" && c.To != "":
		return fmt.Sprintf("+ %s: %s", c.Name, c.To)
	case c.To == "" && c.From != "":
		return fmt.Sprintf("- %s: %s", c.Name, c.From)
	}
	s := fmt.Sprintf("%s: %s -> %s", c.Name, c.From, c.To)
	if c.Delta != nil {
		s += fmt.Sprintf(" (%+.3g", *c.Delta)
		if c.Within {
			s += ", within tolerance"
		}
		s += ")"
	}
	return s
}

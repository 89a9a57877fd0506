package scan

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the type of a value on the pickle machine's stack.
type kind uint8

const (
	kNone kind = iota
	kBool
	kInt
	kFloat
	kStr
	kBytes
	kTuple
	kList
	kDict
	kSet
	kGlobal
	kCall
	kPersid
	kBuffer
)

// maxItems is how many items of a container are kept for rendering; more
// are counted but dropped so memory stays bounded.
const maxItems = 16

// maxKeep is how many bytes of a string are kept for rendering.
const maxKeep = 256

// value is a symbolic Python object: nothing is ever constructed.
type value struct {
	kind kind
	// unsafe records that a non-safe global is reachable from the value, so
	// calls on it are worth showing.
	unsafe bool
	// shared marks one of the constants below, which every walk pushes
	// without allocating: it is never changed (see machine.own).
	shared bool
	// undecodable marks a BINUNICODE string that is not UTF-8: a loader
	// stops at it, so nothing it would feed is ever imported.
	undecodable bool
	s           string   // number text, string prefix, or dotted global name
	full        int64    // length of the string before it was cut to s
	items       []*value // kept items: tuple/list/set elements, dict key,value pairs, call args
	n           int64    // total items added
	fn          *value   // callable of a call
	kw          *value   // keyword arguments of a NEWOBJ_EX call
	// inline holds the first items, so that the many one- and two-item
	// containers (a call's arguments, TUPLE1, TUPLE2) need no second
	// allocation. A value is never copied, so items may point into it.
	inline [2]*value
}

// Constants pushed by many opcodes: None, the booleans, the empty tuple and
// the integers BININT1 reads. Python's own are immutable too.
var (
	constNone       = &value{kind: kNone, shared: true}
	constTrue       = &value{kind: kBool, s: "True", shared: true}
	constFalse      = &value{kind: kBool, s: "False", shared: true}
	constEmptyTuple = &value{kind: kTuple, shared: true}
	constByte       = func() (t [256]*value) {
		for i := range t {
			t[i] = &value{kind: kInt, s: strconv.Itoa(i), shared: true}
		}
		return t
	}()
)

// unshared returns v, or a copy of it that the caller may change.
func (v *value) unshared() *value {
	if !v.shared {
		return v
	}
	return &value{kind: v.kind, s: v.s, full: v.full}
}

func (v *value) add(items ...*value) {
	if v.items == nil {
		v.items = v.inline[:0]
	}
	for _, it := range items {
		v.n++
		if it.unsafe {
			v.unsafe = true
		}
		if len(v.items) < maxItems {
			v.items = append(v.items, it)
		}
	}
}

// notStr reports whether the value is known not to be a str at load time:
// a constant of another type or a container. A call's result, a global or
// a persistent object may be anything.
func notStr(v *value) bool {
	switch v.kind {
	case kStr, kCall, kGlobal, kPersid:
		return false
	}
	return true
}

// loaderUTF8 reports whether a loader decodes s (cut: only a prefix of the
// string) as UTF-8 with surrogates let through, as Python's unpickler
// decodes the BINUNICODE opcodes.
func loaderUTF8(s string, cut bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r != utf8.RuneError || size > 1:
			i += size
		case i+3 <= len(s) && s[i] == 0xed && s[i+1] >= 0xa0 && s[i+1] <= 0xbf && s[i+2] >= 0x80 && s[i+2] <= 0xbf:
			i += 3 // an encoded surrogate
		case cut && !utf8.FullRuneInString(s[i:]):
			return true // the kept prefix ends inside a character
		default:
			return false
		}
	}
	return true
}

// str returns the string content when the value is a complete string.
func (v *value) str() (string, bool) {
	if v.kind != kStr || int64(len(v.s)) != v.full {
		return "", false
	}
	return v.s, true
}

// render writes a Python-like reconstruction of v, at most about limit bytes.
func render(v *value, limit int) string {
	var b strings.Builder
	renderTo(&b, v, 0, limit)
	if b.Len() > limit {
		return b.String()[:limit] + "…"
	}
	return b.String()
}

func renderTo(b *strings.Builder, v *value, depth, limit int) {
	if b.Len() > limit {
		return
	}
	if depth > 8 {
		b.WriteString("…")
		return
	}
	switch v.kind {
	case kNone:
		b.WriteString("None")
	case kBool, kInt, kFloat, kGlobal:
		b.WriteString(v.s)
	case kStr, kBytes:
		if v.kind == kBytes {
			b.WriteByte('b')
		}
		b.WriteString(pyQuote(v.s, v.kind == kBytes))
		if v.full > int64(len(v.s)) {
			b.WriteString("…(" + strconv.FormatInt(v.full, 10) + " bytes)")
		}
	case kTuple:
		renderItems(b, v, "(", ")", depth, limit)
	case kList:
		renderItems(b, v, "[", "]", depth, limit)
	case kSet:
		renderItems(b, v, "{", "}", depth, limit)
	case kDict:
		b.WriteByte('{')
		for i := 0; i+1 < len(v.items); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, v.items[i], depth+1, limit)
			b.WriteString(": ")
			renderTo(b, v.items[i+1], depth+1, limit)
		}
		if v.n > int64(len(v.items)) {
			b.WriteString(", …")
		}
		b.WriteByte('}')
	case kCall:
		renderTo(b, v.fn, depth+1, limit)
		renderArgs(b, v, depth, limit)
	case kPersid:
		b.WriteString("persistent_load(")
		if len(v.items) > 0 {
			renderTo(b, v.items[0], depth+1, limit)
		}
		b.WriteByte(')')
	case kBuffer:
		b.WriteString("<out-of-band buffer>")
	}
}

// renderArgs writes "(a, b, k=v)" for a call's argument tuple and keywords.
func renderArgs(b *strings.Builder, v *value, depth, limit int) {
	b.WriteByte('(')
	n := 0
	if len(v.items) > 0 && v.items[0].kind == kTuple {
		for _, a := range v.items[0].items {
			if n > 0 {
				b.WriteString(", ")
			}
			renderTo(b, a, depth+1, limit)
			n++
		}
		if v.items[0].n > int64(len(v.items[0].items)) {
			b.WriteString(", …")
		}
	} else if len(v.items) > 0 {
		b.WriteByte('*')
		renderTo(b, v.items[0], depth+1, limit)
		n++
	}
	if v.kw != nil && v.kw.kind == kDict {
		for i := 0; i+1 < len(v.kw.items); i += 2 {
			if n > 0 {
				b.WriteString(", ")
			}
			if k, ok := v.kw.items[i].str(); ok {
				b.WriteString(k + "=")
			}
			renderTo(b, v.kw.items[i+1], depth+1, limit)
			n++
		}
	}
	b.WriteByte(')')
}

func renderItems(b *strings.Builder, v *value, open, close string, depth, limit int) {
	b.WriteString(open)
	for i, it := range v.items {
		if i > 0 {
			b.WriteString(", ")
		}
		renderTo(b, it, depth+1, limit)
	}
	if v.n > int64(len(v.items)) {
		b.WriteString(", …")
	}
	if v.kind == kTuple && v.n == 1 {
		b.WriteByte(',')
	}
	b.WriteString(close)
}

// pyQuote quotes s the way Python's repr quotes a string, or a bytes
// object when raw is set.
func pyQuote(s string, raw bool) string {
	var b strings.Builder
	b.WriteByte('\'')
	runes := []rune(s)
	if raw {
		runes = make([]rune, len(s))
		for i := 0; i < len(s); i++ {
			runes[i] = rune(s[i])
			if s[i] >= 0x7f {
				runes[i] = -rune(s[i])
			}
		}
	}
	for _, r := range runes {
		switch {
		case r < 0:
			b.WriteString(`\x` + strconv.FormatInt(int64(-r)|0x100, 16)[1:])
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || r == 0xfffd:
			b.WriteString(`\x` + strconv.FormatInt(int64(r&0xff)|0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

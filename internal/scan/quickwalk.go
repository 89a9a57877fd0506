package scan

import (
	"bytes"
	"encoding/binary"
	"io"
	"strconv"
	"sync"
)

// quickWindow is how many bytes of a pickle the quick walk decodes per read.
const quickWindow = 64 << 10

// quickLine is the longest text argument the quick walk follows; a longer
// one (which a loader may well accept) sends the pickle to the full walk.
const quickLine = 4096

// Tags the quick walk keeps in place of values. A string tag also holds the
// string's place in the arena: its length in bits 2..14, its offset above.
const (
	tagOther uint64 = 1 // anything that is neither an integer nor a known string
	tagInt   uint64 = 2 // an integer, which PyTorch's legacy magic number is
	tagStr   uint64 = 3 // a complete str, kept in the arena
)

// quickWalk reaches the verdict of walkPickles on size bytes of ra without
// building values: it decodes the opcodes and their argument lengths and
// keeps, for every stack slot and memo entry, only a tag saying whether it
// is an integer or a complete string, and which string. That is enough to
// name every global (GLOBAL and INST carry their names, STACK_GLOBAL takes
// two strings from the stack, which the tags follow through the memo).
//
// It gives up (ok false) as soon as the pickle does anything whose effect
// on the walker's report it does not follow exactly: a global off the safe
// list or named by anything but known strings, an EXT code, joblib's array
// wrapper (whose BUILD reads raw data), the legacy magic number, a long text
// argument, a bound the walk might reach, malformed input or a read error.
// When it does not give up, the walk is the one walkPickles returns: the
// same globals in the same order, no calls (only a global off the safe list
// makes a call worth showing), no error, limit or trailing data.
func quickWalk(ra io.ReaderAt, size int64, lim Limits, cls *classifier) (*pickleWalk, bool) {
	if size <= 0 {
		return nil, false
	}
	q, _ := quickPool.Get().(*quick)
	if q == nil {
		q = &quick{}
	}
	*q = quick{ra: ra, size: size, lim: lim, cls: cls, maxS: 64, guess: int(min(size/8, 1<<16)),
		window: q.window, stack: q.stack[:0], marks: q.marks[:0], dense: q.dense[:0], arena: q.arena[:0]}
	if m, ok := ra.(*memFile); ok {
		q.mem = m.data[:size]
	}
	w, ok := q.walk()
	if cap(q.arena) <= maxPooled && cap(q.dense) <= maxPooled/8 {
		q.ra, q.cls, q.globals, q.seen, q.sparse, q.mem, q.buf = nil, nil, nil, nil, nil, nil, nil
		quickPool.Put(q)
	}
	return w, ok
}

// quickPool keeps the buffers of finished quick walks for the next walk:
// a scan may walk many pickles, and a benchmark the same one many times.
var quickPool sync.Pool

// maxPooled bounds the bytes of memo or arena a pooled walk keeps.
const maxPooled = 4 << 20

// quick is the state of one quick walk.
type quick struct {
	ra   io.ReaderAt
	size int64
	lim  Limits
	cls  *classifier

	buf    []byte
	base   int64  // offset of buf[0] in ra
	pos    int    // next byte in buf
	window []byte // what buf is read into
	mem    []byte // all of ra's bytes when they are in memory: buf is a slice of them

	stack  []uint64
	marks  []int
	dense  []uint64 // memo entries 0..n-1; 0 is no entry
	sparse map[int64]uint64
	arena  []byte

	// guess is how many entries a pickle of this size typically memoises:
	// the memo and the arena start with room for that many once the bytes
	// turn out to memoise or name anything, so they seldom grow.
	guess int
	ops   int64
	holds int64 // values the walker may account for in Limits.MaxMemory
	maxS  int   // longest text any such value may carry

	globals []Global
	seen    map[[2]string]bool
}

// fill makes n bytes available at pos, reading a new window from ra at the
// current offset if needed. It reports false at the end of the data or on a
// read error.
func (q *quick) fill(n int) bool {
	return len(q.buf)-q.pos >= n || q.refill(n)
}

// refill reads a new window at the current offset for fill.
func (q *quick) refill(n int) bool {
	off := q.base + int64(q.pos)
	want := int(min(int64(quickWindow), q.size-off))
	if want < n {
		return false
	}
	if q.mem != nil {
		q.buf, q.base, q.pos = q.mem[off:off+int64(want)], off, 0
		return true
	}
	if q.window == nil {
		q.window = make([]byte, quickWindow)
	}
	if k, _ := q.ra.ReadAt(q.window[:want], off); k < want {
		return false
	}
	q.buf, q.base, q.pos = q.window[:want], off, 0
	return true
}

// off is the offset of the next byte.
func (q *quick) off() int64 { return q.base + int64(q.pos) }

// skip passes over n bytes of a long argument.
func (q *quick) skip(n int64) {
	if int64(len(q.buf)-q.pos) >= n {
		q.pos += int(n)
		return
	}
	off := q.off() + n
	q.buf, q.base, q.pos = q.buf[:0], off, 0
}

// line returns a newline-terminated argument without the newline (and a
// carriage return before it), as input.line does.
func (q *quick) line() ([]byte, bool) {
	if !q.fill(1) {
		return nil, false
	}
	if len(q.buf)-q.pos <= quickLine && !q.fill(min(quickLine+1, int(q.size-q.off()))) {
		return nil, false
	}
	rest := q.buf[q.pos:min(len(q.buf), q.pos+quickLine+1)]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return nil, false
	}
	q.pos += i + 1
	return bytes.TrimSuffix(rest[:i], []byte{'\r'}), true
}

// uint reads an n-byte little-endian argument.
func (q *quick) uint(n int) (uint64, bool) {
	if !q.fill(n) {
		return 0, false
	}
	b := q.buf[q.pos : q.pos+n]
	q.pos += n
	switch n {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), true
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), true
	}
	return binary.LittleEndian.Uint64(b), true
}

// push pushes a tag, as machine.push does, within Limits.MaxStack.
func (q *quick) push(t uint64) bool {
	if len(q.stack)+len(q.marks) >= q.lim.MaxStack {
		return false
	}
	q.stack = append(q.stack, t)
	q.holds++
	return true
}

// pop pops a tag from above the last mark, as machine.pop does.
func (q *quick) pop() (uint64, bool) {
	base := 0
	if len(q.marks) > 0 {
		base = q.marks[len(q.marks)-1]
	}
	if len(q.stack) <= base {
		return 0, false
	}
	t := q.stack[len(q.stack)-1]
	q.stack = q.stack[:len(q.stack)-1]
	return t, true
}

// top checks there is a tag above the last mark and returns it.
func (q *quick) top() (uint64, bool) {
	t, ok := q.pop()
	if ok {
		q.stack = q.stack[:len(q.stack)+1]
	}
	return t, ok
}

// popMark removes the last mark and the tags above it.
func (q *quick) popMark() bool {
	if len(q.marks) == 0 {
		return false
	}
	q.stack = q.stack[:q.marks[len(q.marks)-1]]
	q.marks = q.marks[:len(q.marks)-1]
	return true
}

// text notes that a value carrying n bytes of text exists.
func (q *quick) text(n int) {
	q.maxS = max(q.maxS, n)
}

// str keeps a complete string in the arena and returns its tag.
func (q *quick) str(b []byte) uint64 {
	if q.arena == nil {
		q.arena = make([]byte, 0, max(q.guess*4, len(b)))
	}
	off := len(q.arena)
	q.arena = append(q.arena, b...)
	return uint64(off)<<15 | uint64(len(b))<<2 | tagStr
}

// strOf returns the string a string tag stands for.
func (q *quick) strOf(t uint64) (string, bool) {
	if t&3 != tagStr {
		return "", false
	}
	off, n := t>>15, (t>>2)&(1<<13-1)
	return string(q.arena[off : off+n]), true
}

// global records an import as machine.global does, or reports false when
// the walk must be left to the full walker.
func (q *quick) global(module, name string) bool {
	if module+"."+name == joblibWrapper || q.cls.classify(module, name) != ClassSafe {
		return false
	}
	q.text(len(module) + 1 + len(name))
	if !q.seen[[2]string{module, name}] {
		if q.seen == nil {
			q.seen = map[[2]string]bool{}
		}
		q.seen[[2]string{module, name}] = true
		q.globals = append(q.globals, Global{Module: module, Name: name, Class: ClassSafe})
	}
	return q.push(tagOther)
}

// memoLen is the number of memo entries.
func (q *quick) memoLen() int { return len(q.dense) + len(q.sparse) }

func (q *quick) memoGet(i int64) (uint64, bool) {
	if i >= 0 && i < int64(len(q.dense)) {
		return q.dense[i], q.dense[i] != 0
	}
	t, ok := q.sparse[i]
	return t, ok
}

// memoPut stores t at i within Limits.MaxMemo, as machine.memoPut does.
func (q *quick) memoPut(i int64, t uint64) bool {
	if _, ok := q.memoGet(i); !ok {
		if q.memoLen() >= q.lim.MaxMemo {
			return false
		}
		q.holds++
	}
	switch {
	case i >= 0 && i < int64(len(q.dense)):
		q.dense[i] = t
	case i == int64(len(q.dense)) && q.sparse == nil:
		if q.dense == nil {
			q.dense = make([]uint64, 0, q.guess)
		}
		q.dense = append(q.dense, t)
	default:
		if q.sparse == nil {
			q.sparse = map[int64]uint64{}
		}
		q.sparse[i] = t
	}
	return true
}

// walk walks the stacked pickles to the end of the data.
func (q *quick) walk() (*pickleWalk, bool) {
	w := &pickleWalk{trailing: -1, end: q.size}
	if !q.fill(1) {
		return nil, false
	}
	if q.fill(2) && q.buf[q.pos] == 0x80 && q.buf[q.pos+1] <= 5 {
		w.proto = true
	}
	for q.off() < q.size {
		q.stack, q.marks, q.dense, q.sparse = q.stack[:0], q.marks[:0], q.dense[:0], nil
		t, ok := q.run()
		if !ok || (w.pickles == 0 && t == tagInt) {
			return nil, false
		}
		w.pickles++
	}
	// Every value the walker accounts for is a pushed value, a new memo
	// entry or the argument tuple of INST, OBJ or PERSID (counted with the
	// pushes), and none carries more text than maxS.
	if q.holds > (q.lim.MaxMemory)/int64(valueCost+q.maxS) {
		return nil, false
	}
	w.globals = q.globals
	return w, true
}

// run follows one pickle up to its STOP and returns the tag of its result.
func (q *quick) run() (uint64, bool) {
	for {
		if q.ops++; q.ops > q.lim.MaxOpcodes || !q.fill(1) {
			return 0, false
		}
		op := q.buf[q.pos]
		q.pos++
		if op == '.' { // STOP
			return q.pop()
		}
		if !q.step(op) {
			return 0, false
		}
	}
}

// step follows one opcode other than STOP.
func (q *quick) step(op byte) bool {
	switch op {
	case '(': // MARK
		if len(q.stack)+len(q.marks) >= q.lim.MaxStack {
			return false
		}
		q.marks = append(q.marks, len(q.stack))
		return true
	case '0': // POP
		if _, ok := q.pop(); ok {
			return true
		}
		return q.popMark()
	case '1': // POP_MARK
		return q.popMark()
	case '2': // DUP
		t, ok := q.top()
		return ok && q.push(t)
	case 'F', 'I', 'L': // FLOAT, INT, LONG
		s, ok := q.line()
		if !ok {
			return false
		}
		q.text(len(s))
		if op == 'I' && (string(s) == "00" || string(s) == "01") || op == 'F' {
			return q.push(tagOther)
		}
		return q.push(tagInt)
	case 'J', 'K', 'M': // BININT, BININT1, BININT2
		_, ok := q.uint(argWidth(op))
		return ok && q.push(tagInt)
	case 0x8a, 0x8b: // LONG1, LONG4
		n, ok := q.uint(argWidth(op))
		if !ok || (op == 0x8b && int32(uint32(n)) < 0) ||
			n > uint64(q.size-q.off()) || n > uint64(q.lim.MaxString) {
			return false
		}
		q.skip(int64(n))
		q.text(700) // the decimal digits of up to maxKeep bytes
		return q.push(tagInt)
	case 'G': // BINFLOAT
		_, ok := q.uint(8)
		return ok && q.push(tagOther)
	case 'N', 0x88, 0x89, ')', ']', '}', 0x8f, 0x97: // None, True, False, empty containers, NEXT_BUFFER
		return q.push(tagOther)
	case 'S', 'V': // STRING, UNICODE
		b, ok := q.line()
		if !ok {
			return false
		}
		s := string(b)
		if op == 'S' {
			var err error
			if s, err = unquote(s); err != nil {
				return false
			}
		}
		q.text(len(s))
		return q.push(q.str([]byte(s)))
	case 'T', 'U', 'X', 0x8c, 0x8d, 'B', 'C', 0x8e, 0x96:
		return q.stringOp(op)
	case 'P': // PERSID
		s, ok := q.line()
		if !ok {
			return false
		}
		q.text(len(s))
		q.holds++ // the persistent id, held by the persistent load
		return q.push(tagOther)
	case 'Q': // BINPERSID
		_, ok := q.pop()
		return ok && q.push(tagOther)
	case 'c', 'i': // GLOBAL, INST
		return q.globalOp(op)
	case 0x93: // STACK_GLOBAL
		name, ok1 := q.pop()
		module, ok2 := q.pop()
		ns, ok3 := q.strOf(name)
		ms, ok4 := q.strOf(module)
		return ok1 && ok2 && ok3 && ok4 && q.global(ms, ns)
	case 'g', 'h', 'j': // GET, BINGET, LONG_BINGET
		i, ok := q.memoIndex(op)
		if !ok {
			return false
		}
		t, ok := q.memoGet(i)
		return ok && q.push(t)
	case 'p', 'q', 'r', 0x94: // PUT, BINPUT, LONG_BINPUT, MEMOIZE
		i, ok := int64(q.memoLen()), true
		if op != 0x94 {
			i, ok = q.memoIndex(op)
		}
		if !ok {
			return false
		}
		t, ok := q.top()
		return ok && q.memoPut(i, t)
	case 0x80: // PROTO
		v, ok := q.uint(1)
		return ok && v <= 5
	case 0x95: // FRAME
		_, ok := q.uint(8)
		return ok
	case 0x98: // READONLY_BUFFER
		_, ok := q.top()
		return ok
	}
	return q.structural(op)
}

// stringOp follows the opcodes with a length-prefixed string argument.
func (q *quick) stringOp(op byte) bool {
	n, ok := q.uint(argWidth(op))
	if !ok || (op == 'T' && int32(uint32(n)) < 0) {
		return false
	}
	if n > uint64(q.size-q.off()) || n > uint64(q.lim.MaxString) {
		return false
	}
	q.text(int(min(n, maxKeep)))
	if n > maxKeep || op == 'B' || op == 'C' || op == 0x8e || op == 0x96 {
		q.skip(int64(n))
		return q.push(tagOther) // bytes, or a string the walker keeps a prefix of
	}
	if !q.fill(int(n)) {
		return false
	}
	t := q.str(q.buf[q.pos : q.pos+int(n)])
	q.pos += int(n)
	return q.push(t)
}

// globalOp follows GLOBAL and INST, whose arguments are two text lines.
func (q *quick) globalOp(op byte) bool {
	mb, ok := q.line()
	if !ok {
		return false
	}
	module := string(mb)
	nb, ok := q.line()
	if !ok {
		return false
	}
	name := string(nb)
	if !validDotted(module) || !validDotted(name) || !q.global(module, name) {
		return false
	}
	if op == 'c' {
		return true
	}
	q.pop()
	q.holds++ // the argument tuple
	return q.popMark() && q.push(tagOther)
}

// memoIndex reads the index argument of GET/PUT and their binary forms.
func (q *quick) memoIndex(op byte) (int64, bool) {
	switch op {
	case 'g', 'p':
		s, ok := q.line()
		if !ok {
			return 0, false
		}
		i, err := strconv.ParseInt(string(s), 10, 64)
		return i, err == nil
	case 'h', 'q':
		u, ok := q.uint(1)
		return int64(u), ok
	}
	u, ok := q.uint(4)
	return int64(u), ok
}

// structural follows the opcodes that build containers and objects.
func (q *quick) structural(op byte) bool {
	switch op {
	case 't', 'l', 'd', 0x91: // TUPLE, LIST, DICT, FROZENSET
		return q.popMark() && q.push(tagOther)
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		n := int(op - 0x84)
		if len(q.stack) < n || (len(q.marks) > 0 && len(q.stack)-n < q.marks[len(q.marks)-1]) {
			return false
		}
		q.stack = q.stack[:len(q.stack)-n]
		return q.push(tagOther)
	case 'a', 's', 'b': // APPEND, SETITEM, BUILD
		n := 1
		if op == 's' {
			n = 2
		}
		for range n {
			if _, ok := q.pop(); !ok {
				return false
			}
		}
		return q.own()
	case 'e', 'u', 0x90: // APPENDS, SETITEMS, ADDITEMS
		return q.popMark() && q.own()
	case 'R', 0x81, 0x92: // REDUCE, NEWOBJ, NEWOBJ_EX
		n := 2
		if op == 0x92 {
			n = 3
		}
		for range n {
			if _, ok := q.pop(); !ok {
				return false
			}
		}
		return q.push(tagOther)
	case 'o': // OBJ
		if len(q.marks) == 0 || len(q.stack) == q.marks[len(q.marks)-1] {
			return false
		}
		q.holds++ // the argument tuple
		return q.popMark() && q.push(tagOther)
	}
	return false
}

// own follows machine.own for an opcode that changes the object on top of
// the stack. The walker adds items to the object but keeps its kind and
// text, so the tag stays as it is.
func (q *quick) own() bool {
	_, ok := q.top()
	return ok
}

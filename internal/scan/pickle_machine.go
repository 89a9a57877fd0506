package scan

import (
	"errors"
	"fmt"
)

// maxCalls bounds the reconstructions kept per pickle.
const maxCalls = 64

// machine walks pickle opcodes symbolically: it keeps the stack, the marks
// and the memo like Python's Unpickler, but every object is a *value and no
// import or call ever happens.
type machine struct {
	in      *input
	lim     Limits
	cls     *classifier
	stack   []*value
	marks   []int
	memo    *memoTable
	ops     int64
	globals []Global
	seen    map[[2]string]*value // module and name → the pushed global
	calls   []string
	called  map[string]bool
	// dynamic records a STACK_GLOBAL whose names are not constant strings.
	dynamic bool
	// nested counts pickles embedded in the stream by joblib object arrays.
	nested int
	// held approximates the bytes of values kept by the memo and containers.
	held int64
}

func newMachine(in *input, lim Limits, cls *classifier) *machine {
	return &machine{in: in, lim: lim, cls: cls} // seen and called are made when first needed
}

// errStack reports malformed stack use, like Python's UnpicklingError.
var errStack = errors.New("stack underflow")

func (m *machine) push(v *value) error {
	if len(m.stack)+len(m.marks) >= m.lim.MaxStack {
		return fmt.Errorf("stack deeper than %d (Limits.MaxStack): %w", m.lim.MaxStack, errLimit)
	}
	m.stack = append(m.stack, v)
	return nil
}

func (m *machine) pop() (*value, error) {
	base := 0
	if len(m.marks) > 0 {
		base = m.marks[len(m.marks)-1]
	}
	if len(m.stack) <= base {
		return nil, errStack
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *machine) top() (*value, error) {
	v, err := m.pop()
	if err != nil {
		return nil, err
	}
	m.stack = append(m.stack, v)
	return v, nil
}

// own returns the top of the stack for an opcode that changes it (APPEND,
// SETITEM, BUILD ...), first replacing a shared constant by a copy. Python
// refuses those opcodes on its immutable constants, so a copy only differs
// in a pickle that would not load.
func (m *machine) own() (*value, error) {
	v, err := m.top()
	if err != nil || !v.shared {
		return v, err
	}
	v = v.unshared()
	m.stack[len(m.stack)-1] = v
	return v, nil
}

func (m *machine) mark() error {
	if len(m.stack)+len(m.marks) >= m.lim.MaxStack {
		return fmt.Errorf("stack deeper than %d (Limits.MaxStack): %w", m.lim.MaxStack, errLimit)
	}
	m.marks = append(m.marks, len(m.stack))
	return nil
}

// errNoMark reports a mark-consuming opcode without a mark.
var errNoMark = errors.New("no mark on the stack")

// popMark returns the values above the last mark and removes the mark. The
// slice shares the stack's memory: it is valid until the next push.
func (m *machine) popMark() ([]*value, error) {
	if len(m.marks) == 0 {
		return nil, errNoMark
	}
	at := m.marks[len(m.marks)-1]
	m.marks = m.marks[:len(m.marks)-1]
	items := m.stack[at:]
	m.stack = m.stack[:at]
	return items, nil
}

func (m *machine) memoPut(i int64, v *value) error {
	if _, ok := m.memo.get(i); !ok {
		if m.memo.len() >= m.lim.MaxMemo {
			return fmt.Errorf("memo larger than %d entries (Limits.MaxMemo): %w", m.lim.MaxMemo, errLimit)
		}
		if err := m.hold(v); err != nil {
			return err
		}
	}
	m.memo.set(i, v)
	return nil
}

func (m *machine) memoGet(i int64) error {
	v, ok := m.memo.get(i)
	if !ok {
		return fmt.Errorf("memo key %d not found", i)
	}
	return m.push(v)
}

// global records an import of module.name and pushes it.
func (m *machine) global(module, name string) error {
	g, ok := m.seen[[2]string{module, name}]
	if !ok {
		class := m.cls.classify(module, name)
		g = &value{kind: kGlobal, s: module + "." + name, unsafe: class != ClassSafe}
		if m.seen == nil {
			m.seen = map[[2]string]*value{}
		}
		m.seen[[2]string{module, name}] = g
		m.globals = append(m.globals, Global{Module: module, Name: name, Class: class})
	}
	return m.push(&value{kind: kGlobal, s: g.s, unsafe: g.unsafe})
}

// call pushes the result of calling fn and records its reconstruction when
// fn involves a global that is not safe.
func (m *machine) call(fn, args, kw *value) error {
	v := &value{kind: kCall, fn: fn, kw: kw, unsafe: fn.unsafe}
	if err := m.adopt(v, args); err != nil {
		return err
	}
	if fn.unsafe && len(m.calls) < maxCalls {
		s := render(v, 300)
		if !m.called[s] {
			if m.called == nil {
				m.called = map[string]bool{}
			}
			m.called[s] = true
			m.calls = append(m.calls, s)
		}
	}
	return m.push(v)
}

// run executes one pickle up to and including its STOP opcode and returns
// the value it would produce.
func (m *machine) run() (*value, error) {
	m.stack, m.marks, m.memo = m.stack[:0], m.marks[:0], &memoTable{}
	for {
		m.ops++
		if m.ops > m.lim.MaxOpcodes {
			return nil, fmt.Errorf("more than %d opcodes (Limits.MaxOpcodes): %w", m.lim.MaxOpcodes, errLimit)
		}
		at := m.in.off
		op, err := m.in.byte()
		if err != nil {
			return nil, fmt.Errorf("at offset %d: %w", at, err)
		}
		done, err := m.step(op)
		if err != nil {
			return nil, fmt.Errorf("opcode 0x%02x at offset %d: %w", op, at, err)
		}
		if done {
			return m.pop()
		}
	}
}

// valueCost approximates the memory one kept value takes.
const valueCost = 96

// hold accounts for a value the memo or a container keeps.
func (m *machine) hold(v *value) error {
	m.held += valueCost + int64(len(v.s))
	if m.held > m.lim.MaxMemory {
		return fmt.Errorf("analysis needs more than %d bytes (Limits.MaxMemory): %w", m.lim.MaxMemory, errLimit)
	}
	return nil
}

// adopt adds items to the container v, accounting for the ones it keeps.
func (m *machine) adopt(v *value, items ...*value) error {
	for i, it := range items {
		if len(v.items)+i >= maxItems {
			break
		}
		if err := m.hold(it); err != nil {
			return err
		}
	}
	v.add(items...)
	return nil
}

// valueOf8 is a value allocated together with room for eight items.
type valueOf8 struct {
	v    value
	room [8]*value
}

// newContainer builds a container of kind k holding items, with room for
// the items it keeps in the same allocation when they are few.
func (m *machine) newContainer(k kind, items []*value) (*value, error) {
	var v *value
	switch n := len(items); {
	case n <= len(v.inline):
		v = &value{kind: k}
	case n <= 8:
		w := &valueOf8{v: value{kind: k}}
		v = &w.v
		v.items = w.room[:0]
	default:
		v = &value{kind: k, items: make([]*value, 0, min(n, maxItems))}
	}
	return v, m.adopt(v, items...)
}

// persid pushes the result of a persistent load of pid.
func (m *machine) persid(pid *value) error {
	v, err := m.newContainer(kPersid, []*value{pid})
	if err != nil {
		return err
	}
	return m.push(v)
}

// memoTable is the pickle memo: indices are dense from 0 in what picklers
// write, so they live in a slice; any others in a map.
type memoTable struct {
	dense  []*value
	sparse map[int64]*value
}

func (t *memoTable) len() int { return len(t.dense) + len(t.sparse) }

func (t *memoTable) get(i int64) (*value, bool) {
	if i >= 0 && i < int64(len(t.dense)) {
		return t.dense[i], t.dense[i] != nil
	}
	v, ok := t.sparse[i]
	return v, ok
}

func (t *memoTable) set(i int64, v *value) {
	switch {
	case i >= 0 && i < int64(len(t.dense)):
		t.dense[i] = v
	case i == int64(len(t.dense)) && t.sparse == nil:
		t.dense = append(t.dense, v)
	default:
		if t.sparse == nil {
			t.sparse = map[int64]*value{}
		}
		t.sparse[i] = v
	}
}

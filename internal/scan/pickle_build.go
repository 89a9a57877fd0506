package scan

import "fmt"

// structural executes the opcodes that build containers and objects.
func (m *machine) structural(op byte) error {
	switch op {
	case ')': // EMPTY_TUPLE
		return m.push(constEmptyTuple)
	case ']', '}', 0x8f: // EMPTY_LIST, EMPTY_DICT, EMPTY_SET
		return m.push(&value{kind: containerKind(op)})
	case 't', 'l', 'd', 0x91: // TUPLE, LIST, DICT, FROZENSET
		items, err := m.popMark()
		if err != nil {
			return err
		}
		v, err := m.newContainer(containerKind(op), items)
		if err != nil {
			return err
		}
		return m.push(v)
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		n := int(op - 0x84)
		if len(m.stack) < n || (len(m.marks) > 0 && len(m.stack)-n < m.marks[len(m.marks)-1]) {
			return errStack
		}
		items := m.stack[len(m.stack)-n:] // read before the next push
		m.stack = m.stack[:len(m.stack)-n]
		v, err := m.newContainer(kTuple, items)
		if err != nil {
			return err
		}
		return m.push(v)
	case 'a', 's': // APPEND, SETITEM
		n := 1
		if op == 's' {
			n = 2
		}
		items := make([]*value, n)
		for i := n - 1; i >= 0; i-- {
			v, err := m.pop()
			if err != nil {
				return err
			}
			items[i] = v
		}
		target, err := m.own()
		if err != nil {
			return err
		}
		return m.adopt(target, items...)
	case 'e', 'u', 0x90: // APPENDS, SETITEMS, ADDITEMS
		items, err := m.popMark()
		if err != nil {
			return err
		}
		target, err := m.own()
		if err != nil {
			return err
		}
		return m.adopt(target, items...)
	case 'R', 0x81: // REDUCE, NEWOBJ
		args, err := m.pop()
		if err != nil {
			return err
		}
		fn, err := m.pop()
		if err != nil {
			return err
		}
		return m.call(fn, args, nil)
	case 0x92: // NEWOBJ_EX
		kw, err := m.pop()
		if err != nil {
			return err
		}
		args, err := m.pop()
		if err != nil {
			return err
		}
		fn, err := m.pop()
		if err != nil {
			return err
		}
		return m.call(fn, args, kw)
	case 'o': // OBJ
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return errStack
		}
		args, err := m.newContainer(kTuple, items[1:])
		if err != nil {
			return err
		}
		return m.call(items[0], args, nil)
	case 'b': // BUILD
		state, err := m.pop()
		if err != nil {
			return err
		}
		obj, err := m.own()
		if err != nil {
			return err
		}
		if state.unsafe {
			obj.unsafe = true
		}
		return m.afterBuild(obj, state)
	}
	return fmt.Errorf("unknown opcode")
}

// opcodes lists every opcode step executes; isOpcode is the same as a table.
const opcodes = "(.012FILJKMGNSVTUXBCPQcighjpqr)]}tldaseuRob" +
	"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f" +
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98"

var isOpcode = func() (t [256]bool) {
	for i := 0; i < len(opcodes); i++ {
		t[opcodes[i]] = true
	}
	return t
}()

// argWidth is the byte width of an opcode's fixed-size argument (or of the
// length prefix of its string argument).
func argWidth(op byte) int {
	switch op {
	case 'K', 'U', 'C', 0x8c, 0x8a, 0x82:
		return 1
	case 'M', 0x83:
		return 2
	case 'J', 'T', 'X', 'B', 0x8b, 0x84:
		return 4
	}
	return 8 // BINUNICODE8, BINBYTES8, BYTEARRAY8
}

// containerKind is the kind of container an opcode builds.
func containerKind(op byte) kind {
	switch op {
	case ')', 't':
		return kTuple
	case ']', 'l':
		return kList
	case '}', 'd':
		return kDict
	}
	return kSet
}

package scan

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// step executes one opcode; done is true after STOP.
func (m *machine) step(op byte) (done bool, err error) {
	switch op {
	case '(': // MARK
		return false, m.mark()
	case '.': // STOP
		return true, nil
	case '0': // POP
		if _, err := m.pop(); err != nil {
			_, err = m.popMark()
			return false, err
		}
		return false, nil
	case '1': // POP_MARK
		_, err := m.popMark()
		return false, err
	case '2': // DUP
		v, err := m.top()
		if err != nil {
			return false, err
		}
		return false, m.push(v)
	case 'F', 'I', 'L': // FLOAT, INT, LONG
		s, err := m.in.line()
		if err != nil {
			return false, err
		}
		return false, m.push(numberText(op, s))
	case 'J', 'K', 'M': // BININT, BININT1, BININT2
		u, err := m.in.uint(argWidth(op))
		if err != nil {
			return false, err
		}
		if op == 'K' {
			return false, m.push(constByte[u])
		}
		i := int64(u)
		if op == 'J' {
			i = int64(int32(uint32(u)))
		}
		return false, m.push(&value{kind: kInt, s: strconv.FormatInt(i, 10)})
	case 0x8a, 0x8b: // LONG1, LONG4
		return false, m.long(op)
	case 'G': // BINFLOAT
		b, err := m.in.fixed(8)
		if err != nil {
			return false, err
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(b))
		return false, m.push(&value{kind: kFloat, s: strconv.FormatFloat(f, 'g', -1, 64)})
	case 'N':
		return false, m.push(constNone)
	case 0x88, 0x89: // NEWTRUE, NEWFALSE
		if op == 0x88 {
			return false, m.push(constTrue)
		}
		return false, m.push(constFalse)
	case 'S', 'V': // STRING, UNICODE
		s, err := m.in.line()
		if err != nil {
			return false, err
		}
		if op == 'S' {
			if s, err = unquote(s); err != nil {
				return false, err
			}
		}
		return false, m.push(&value{kind: kStr, s: s, full: int64(len(s))})
	case 'T', 'U', 'X', 0x8c, 0x8d, 'B', 'C', 0x8e, 0x96:
		return false, m.sized(op)
	case 'P': // PERSID
		s, err := m.in.line()
		if err != nil {
			return false, err
		}
		return false, m.persid(&value{kind: kStr, s: s, full: int64(len(s))})
	case 'Q': // BINPERSID
		pid, err := m.pop()
		if err != nil {
			return false, err
		}
		return false, m.persid(pid)
	case 'c', 'i': // GLOBAL, INST
		return false, m.globalOp(op)
	case 0x93: // STACK_GLOBAL
		name, err := m.pop()
		if err != nil {
			return false, err
		}
		module, err := m.pop()
		if err != nil {
			return false, err
		}
		if module.undecodable || name.undecodable {
			return false, fmt.Errorf("STACK_GLOBAL on a string that is not UTF-8, at which a loader stops")
		}
		ms, ok1 := module.str()
		ns, ok2 := name.str()
		if !ok1 || !ok2 {
			if notStr(module) || notStr(name) {
				// A loader checks both are str and raises before any import.
				return false, fmt.Errorf("STACK_GLOBAL on %s and %s, which a loader refuses (it wants two str)", render(module, 20), render(name, 20))
			}
			m.dynamic = true
			return false, m.global("?"+render(module, 60), render(name, 60))
		}
		return false, m.global(ms, ns)
	case 0x82, 0x83, 0x84: // EXT1, EXT2, EXT4
		u, err := m.in.uint(argWidth(op))
		if err != nil {
			return false, err
		}
		return false, m.global("copyreg", fmt.Sprintf("extension[%d]", u))
	case 'g', 'h', 'j': // GET, BINGET, LONG_BINGET
		i, err := m.memoIndex(op)
		if err != nil {
			return false, err
		}
		return false, m.memoGet(i)
	case 'p', 'q', 'r', 0x94: // PUT, BINPUT, LONG_BINPUT, MEMOIZE
		i := int64(m.memo.len())
		if op != 0x94 {
			if i, err = m.memoIndex(op); err != nil {
				return false, err
			}
		}
		v, err := m.top()
		if err != nil {
			return false, err
		}
		return false, m.memoPut(i, v)
	case 0x80: // PROTO
		b, err := m.in.byte()
		if err != nil {
			return false, err
		}
		if b > 5 {
			return false, fmt.Errorf("unsupported pickle protocol %d", b)
		}
		return false, nil
	case 0x95: // FRAME
		_, err := m.in.fixed(8)
		return false, err
	case 0x97: // NEXT_BUFFER
		return false, m.push(&value{kind: kBuffer})
	case 0x98: // READONLY_BUFFER
		_, err := m.top()
		return false, err
	}
	return false, m.structural(op)
}

// globalOp executes GLOBAL and INST, whose arguments are two text lines.
func (m *machine) globalOp(op byte) error {
	module, err := m.in.line()
	if err != nil {
		return err
	}
	name, err := m.in.line()
	if err != nil {
		return err
	}
	if !validDotted(module) || !validDotted(name) {
		return fmt.Errorf("bad global name %q %q", module, name)
	}
	if err := m.global(module, name); err != nil {
		return err
	}
	if op == 'c' {
		return nil
	}
	cls, _ := m.pop()
	items, err := m.popMark()
	if err != nil {
		return err
	}
	args, err := m.newContainer(kTuple, items)
	if err != nil {
		return err
	}
	return m.call(cls, args, nil)
}

// sized executes the opcodes with a length-prefixed string argument.
func (m *machine) sized(op byte) error {
	n, err := m.in.uint(argWidth(op))
	if err != nil {
		return err
	}
	if op == 'T' && int32(uint32(n)) < 0 {
		return fmt.Errorf("negative string length")
	}
	s, full, err := m.in.text(n)
	if err != nil {
		return err
	}
	k := kStr
	if op == 'B' || op == 'C' || op == 0x8e || op == 0x96 {
		k = kBytes
	}
	return m.push(&value{kind: k, s: s, full: full, undecodable: k == kStr && op != 'T' && !loaderUTF8(s, full > int64(len(s)))})
}

// long executes LONG1 and LONG4: a little-endian two's complement integer.
func (m *machine) long(op byte) error {
	n, err := m.in.uint(argWidth(op))
	if err != nil {
		return err
	}
	if op == 0x8b && int32(uint32(n)) < 0 {
		return fmt.Errorf("negative long length")
	}
	s, full, err := m.in.text(n)
	if err != nil {
		return err
	}
	if full > int64(len(s)) {
		return m.push(&value{kind: kInt, s: fmt.Sprintf("<%d-byte integer>", full)})
	}
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	x := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return m.push(&value{kind: kInt, s: x.String()})
}

package scan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// checkParquetFooter walks the Thrift compact encoding of a Parquet footer
// and rejects lengths that exceed the bytes left, so the Parquet library is
// never asked to allocate more than the footer could hold.
func checkParquetFooter(ra io.ReaderAt, size, maxFooter int64) error {
	if size < 12 {
		return errors.New("parquet: file shorter than its magic and footer length")
	}
	var tail [8]byte
	if _, err := ra.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("parquet footer: %w", noEOF(err))
	}
	if string(tail[4:]) != "PAR1" {
		return errors.New("parquet: missing PAR1 magic at the end of the file")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 || n > maxFooter {
		return fmt.Errorf("parquet: footer of %d bytes does not fit the %d-byte file", n, size)
	}
	footer := make([]byte, n)
	if _, err := ra.ReadAt(footer, size-8-n); err != nil {
		return fmt.Errorf("parquet footer: %w", noEOF(err))
	}
	t := &thriftWalk{b: footer}
	if err := t.value(12, 0); err != nil {
		return fmt.Errorf("parquet footer: %w", err)
	}
	return nil
}

// thriftWalk skips Thrift compact-protocol values, checking every length.
type thriftWalk struct {
	b []byte
	i int
}

var errThrift = errors.New("malformed thrift")

func (t *thriftWalk) byte() (byte, error) {
	if t.i >= len(t.b) {
		return 0, errThrift
	}
	t.i++
	return t.b[t.i-1], nil
}

func (t *thriftWalk) varint() (uint64, error) {
	v, n := binary.Uvarint(t.b[t.i:])
	if n <= 0 {
		return 0, errThrift
	}
	t.i += n
	return v, nil
}

// length reads a count of items each at least min bytes long.
func (t *thriftWalk) length(v uint64, min int) (int, error) {
	if v > uint64((len(t.b)-t.i)/min) {
		return 0, fmt.Errorf("length %d exceeds the %d bytes left", v, len(t.b)-t.i)
	}
	return int(v), nil
}

// value skips one value of compact type typ.
func (t *thriftWalk) value(typ byte, depth int) error {
	if depth > 64 {
		return errors.New("thrift nested too deeply")
	}
	switch typ {
	case 1, 2: // booleans inside a struct carry no bytes
		return nil
	case 3:
		_, err := t.byte()
		return err
	case 4, 5, 6:
		_, err := t.varint()
		return err
	case 7:
		_, err := t.length(8, 1)
		t.i += 8
		return err
	case 8:
		v, err := t.varint()
		if err != nil {
			return err
		}
		n, err := t.length(v, 1)
		t.i += n
		return err
	case 9, 10:
		return t.list(depth)
	case 11:
		return t.dict(depth)
	case 12:
		for {
			h, err := t.byte()
			if err != nil || h == 0 {
				return err
			}
			if h>>4 == 0 {
				if _, err := t.varint(); err != nil {
					return err
				}
			}
			if err := t.value(h&0x0f, depth+1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown thrift type %d", typ)
}

func (t *thriftWalk) list(depth int) error {
	h, err := t.byte()
	if err != nil {
		return err
	}
	size, typ := uint64(h>>4), h&0x0f
	if size == 15 {
		if size, err = t.varint(); err != nil {
			return err
		}
	}
	n, err := t.length(size, 1)
	if err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		if typ == 1 || typ == 2 {
			typ = 3 // list booleans take one byte each
		}
		if err := t.value(typ, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *thriftWalk) dict(depth int) error {
	size, err := t.varint()
	if err != nil || size == 0 {
		return err
	}
	kv, err := t.byte()
	if err != nil {
		return err
	}
	n, err := t.length(size, 2)
	if err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		if err := t.value(kv>>4, depth+1); err != nil {
			return err
		}
		if err := t.value(kv&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}

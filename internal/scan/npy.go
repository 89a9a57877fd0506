package scan

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// npyHeader is the parsed header of a .npy array.
type npyHeader struct {
	major    int
	shape    []int64
	dataOff  int64 // offset of the array data
	itemsize int64
	object   bool  // the dtype holds Python objects, stored as a pickle
	count    int64 // product of the shape
}

// dataSize is the byte length the array data must have.
func (h *npyHeader) dataSize() (int64, error) {
	hi, lo := bits.Mul64(uint64(h.count), uint64(h.itemsize))
	if hi != 0 || lo > 1<<62 {
		return 0, fmt.Errorf("shape %v of %d-byte items overflows", h.shape, h.itemsize)
	}
	return int64(lo), nil
}

// readNpyHeader parses the magic, version and header dict of a .npy file.
func readNpyHeader(r io.Reader, maxHeader int64) (*npyHeader, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("read npy preamble: %w", noEOF(err))
	}
	if string(pre[:6]) != npyMagic {
		return nil, fmt.Errorf("missing \\x93NUMPY magic")
	}
	h := &npyHeader{major: int(pre[6])}
	var hlen, off int64
	switch h.major {
	case 1:
		hlen, off = int64(binary.LittleEndian.Uint16(pre[8:])), 10
	case 2, 3:
		var more [2]byte
		if _, err := io.ReadFull(r, more[:]); err != nil {
			return nil, fmt.Errorf("read npy header length: %w", noEOF(err))
		}
		hlen, off = int64(binary.LittleEndian.Uint32(append(pre[8:10:10], more[:]...))), 12
	default:
		return nil, fmt.Errorf("unsupported npy version %d.%d (want 1, 2 or 3)", pre[6], pre[7])
	}
	if hlen > min(maxHeader, 16<<20) {
		return nil, fmt.Errorf("npy header of %d bytes is larger than the limit", hlen)
	}
	text := make([]byte, hlen)
	if _, err := io.ReadFull(r, text); err != nil {
		return nil, fmt.Errorf("read npy header: %w", noEOF(err))
	}
	h.dataOff = off + hlen
	return h, h.parseDict(string(text))
}

// parseDict reads descr, fortran_order and shape from the header dict.
func (h *npyHeader) parseDict(text string) error {
	lit, err := parsePyLiteral(strings.TrimRight(text, " \n\x00"))
	if err != nil {
		return fmt.Errorf("npy header dict: %w", err)
	}
	d, ok := lit.(map[string]pyLit)
	if !ok {
		return fmt.Errorf("npy header is not a dict")
	}
	if _, ok := d["fortran_order"].(bool); !ok {
		return fmt.Errorf("npy header: fortran_order must be True or False")
	}
	if len(d) != 3 {
		return fmt.Errorf("npy header must hold exactly descr, fortran_order and shape")
	}
	shape, ok := d["shape"].([]pyLit)
	if !ok {
		return fmt.Errorf("npy header: shape must be a tuple of integers")
	}
	h.count = 1
	for _, s := range shape {
		n, ok := s.(int64)
		if !ok || n < 0 {
			return fmt.Errorf("npy header: shape %v holds a negative or non-integer dimension", shape)
		}
		h.shape = append(h.shape, n)
		hi, lo := bits.Mul64(uint64(h.count), uint64(n))
		if hi != 0 || lo > 1<<62 {
			return fmt.Errorf("npy header: shape %v overflows", h.shape)
		}
		h.count = int64(lo)
	}
	h.itemsize, h.object, err = descrSize(d["descr"], 0)
	if err != nil {
		return fmt.Errorf("npy header: descr: %w", err)
	}
	_, err = h.dataSize()
	return err
}

// descrSize returns the item size of a NumPy dtype description (a type
// string or a structured list of fields) and whether it holds objects.
func descrSize(d pyLit, depth int) (int64, bool, error) {
	if depth > 16 {
		return 0, false, fmt.Errorf("structured dtype nested too deeply")
	}
	switch d := d.(type) {
	case string:
		return typestrSize(d)
	case []pyLit:
		var total int64
		var object bool
		for _, f := range d {
			field, ok := f.([]pyLit)
			if !ok || len(field) < 2 || len(field) > 3 {
				return 0, false, fmt.Errorf("field %v is not (name, dtype[, shape])", f)
			}
			size, obj, err := descrSize(field[1], depth+1)
			if err != nil {
				return 0, false, err
			}
			if len(field) == 3 {
				sub, err := descrSize2Shape(field[2])
				if err != nil {
					return 0, false, err
				}
				size *= sub
			}
			total += size
			object = object || obj
			if total > 1<<40 {
				return 0, false, fmt.Errorf("structured dtype too large")
			}
		}
		return total, object, nil
	}
	return 0, false, fmt.Errorf("%v is neither a type string nor a list of fields", d)
}

func descrSize2Shape(s pyLit) (int64, error) {
	if n, ok := s.(int64); ok && n >= 0 && n < 1<<20 {
		return n, nil
	}
	dims, ok := s.([]pyLit)
	if !ok {
		return 0, fmt.Errorf("subarray shape %v is not a tuple", s)
	}
	p := int64(1)
	for _, d := range dims {
		n, ok := d.(int64)
		if !ok || n < 0 || n >= 1<<20 || p*n >= 1<<30 {
			return 0, fmt.Errorf("bad subarray shape %v", s)
		}
		p *= n
	}
	return p, nil
}

// typestrSize parses a NumPy type string such as "<f8", "|O" or "<U10".
func typestrSize(s string) (int64, bool, error) {
	t := strings.TrimLeft(s, "<>|=")
	if i := strings.IndexByte(t, '['); i >= 0 && strings.HasSuffix(t, "]") {
		t = t[:i]
	}
	if t == "" {
		return 0, false, fmt.Errorf("empty type string %q", s)
	}
	kind, digits := t[0], t[1:]
	n := int64(0)
	if digits != "" {
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v < 0 || v > 1<<30 {
			return 0, false, fmt.Errorf("bad size in type string %q", s)
		}
		n = v
	}
	switch kind {
	case 'O':
		return 8, true, nil
	case '?':
		return 1, false, nil
	case 'U':
		return 4 * n, false, nil
	case 'b', 'i', 'u', 'f', 'c', 'S', 'a', 'V', 'M', 'm', 'e', 'd', 'g':
		if digits == "" && strings.IndexByte("SaV", kind) < 0 {
			return 0, false, fmt.Errorf("type string %q has no size", s)
		}
		return n, false, nil
	}
	return 0, false, fmt.Errorf("unknown type string %q", s)
}

// npy validates a .npy array; object arrays are pickles and are walked.
func (s *scanner) npy(member string, r *bufio.Reader, size int64) {
	h, err := readNpyHeader(r, s.lim.MaxHeader)
	if err != nil {
		s.fail(member, "npy", err)
		return
	}
	s.rep.addSummary(0, 0, 1)
	if h.object {
		s.add(Finding{Member: member, Format: "npy", Severity: SeverityInfo,
			Message: "array has an object dtype: its data is a pickle and loading needs allow_pickle=True; store numeric or string dtypes instead"})
		rest := int64(-1)
		if size >= 0 {
			rest = size - h.dataOff
		}
		w := walkPickles(r, rest, s.lim, s.cls)
		for _, f := range w.findings(member, s.opts.Pickle) {
			s.add(f)
		}
		return
	}
	want, _ := h.dataSize()
	got := size - h.dataOff
	if size < 0 {
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			s.fail(member, "npy", fmt.Errorf("read npy data: %w", err))
			return
		}
		got = n
	}
	if got != want {
		s.add(Finding{Member: member, Format: "npy", Severity: SeverityInvalid,
			Message: fmt.Sprintf("array data is %d bytes but shape %v of %d-byte items needs %d", got, h.shape, h.itemsize, want)})
	}
}

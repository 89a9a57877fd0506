package scan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"sort"
)

// safetensorsDtypes maps the dtypes of the safetensors format to their size
// in bytes.
var safetensorsDtypes = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8, "C64": 8,
}

// safetensorsEntry is one tensor of a safetensors header.
type safetensorsEntry struct {
	name        string
	Dtype       string   `json:"dtype"`
	Shape       []uint64 `json:"shape"`
	DataOffsets []uint64 `json:"data_offsets"`
}

// safetensors validates the header and layout of a safetensors file.
func (s *scanner) safetensors(member string, ra io.ReaderAt, size int64) {
	n, err := checkSafetensors(ra, size, s.lim.MaxHeader)
	if err != nil {
		s.fail(member, "safetensors", err)
		return
	}
	s.rep.addSummary(0, 0, n)
}

// checkSafetensors validates a safetensors file and returns its tensor count.
func checkSafetensors(ra io.ReaderAt, size, maxHeader int64) (int64, error) {
	var pre [8]byte
	if size < 8 {
		return 0, fmt.Errorf("file of %d bytes is shorter than the 8-byte header length", size)
	}
	if _, err := ra.ReadAt(pre[:], 0); err != nil {
		return 0, fmt.Errorf("read header length: %w", noEOF(err))
	}
	hlen := binary.LittleEndian.Uint64(pre[:])
	if hlen > uint64(maxHeader) || hlen > uint64(size-8) {
		return 0, fmt.Errorf("header length %d overruns the %d-byte file", hlen, size)
	}
	raw := make([]byte, hlen)
	if _, err := ra.ReadAt(raw, 8); err != nil {
		return 0, fmt.Errorf("read header: %w", noEOF(err))
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimRight(raw, " ")))
	if err := dec.Decode(&fields); err != nil {
		return 0, fmt.Errorf("header is not a JSON object: %w", err)
	}
	var tensors []safetensorsEntry
	for name, msg := range fields {
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(msg, &meta); err != nil {
				return 0, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		e := safetensorsEntry{name: name}
		d := json.NewDecoder(bytes.NewReader(msg))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return 0, fmt.Errorf("tensor %q: %w", name, err)
		}
		tensors = append(tensors, e)
	}
	sort.Slice(tensors, func(i, j int) bool {
		if len(tensors[i].DataOffsets) != 2 || len(tensors[j].DataOffsets) != 2 {
			return len(tensors[i].DataOffsets) < len(tensors[j].DataOffsets)
		}
		return tensors[i].DataOffsets[0] < tensors[j].DataOffsets[0]
	})
	var end uint64
	for _, t := range tensors {
		if err := t.check(end); err != nil {
			return 0, err
		}
		end = t.DataOffsets[1]
	}
	if data := uint64(size) - 8 - hlen; end != data {
		return 0, fmt.Errorf("tensors cover %d bytes but the file holds %d bytes of data", end, data)
	}
	return int64(len(tensors)), nil
}

// check validates one tensor that must start where the previous one ended.
func (t safetensorsEntry) check(start uint64) error {
	size, ok := safetensorsDtypes[t.Dtype]
	if !ok {
		return fmt.Errorf("tensor %q: unknown dtype %q", t.name, t.Dtype)
	}
	if len(t.DataOffsets) != 2 {
		return fmt.Errorf("tensor %q: data_offsets must be [begin, end]", t.name)
	}
	begin, end := t.DataOffsets[0], t.DataOffsets[1]
	if begin != start {
		return fmt.Errorf("tensor %q: data starts at %d but the previous tensor ends at %d (gap or overlap)", t.name, begin, start)
	}
	if end < begin {
		return fmt.Errorf("tensor %q: data_offsets end %d is before begin %d", t.name, end, begin)
	}
	for _, d := range t.Shape {
		hi, lo := bits.Mul64(size, d)
		if hi != 0 {
			return fmt.Errorf("tensor %q: shape %v overflows", t.name, t.Shape)
		}
		size = lo
	}
	if end-begin != size {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes but data_offsets span %d", t.name, t.Shape, t.Dtype, size, end-begin)
	}
	return nil
}

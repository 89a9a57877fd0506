package scan

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX protobuf message types the walker descends into.
const (
	pbModel = iota
	pbGraph
	pbNode
	pbAttr
	pbTensor
	pbSparse
	pbTraining
	pbFunction
	pbEntry
)

// onnxFields maps a message type's length-delimited fields to the message
// type they hold; every other field is skipped by its length, unread.
var onnxFields = map[int]map[protowire.Number]int{
	pbModel:    {7: pbGraph, 20: pbTraining, 25: pbFunction},
	pbGraph:    {1: pbNode, 5: pbTensor, 15: pbSparse},
	pbNode:     {5: pbAttr},
	pbAttr:     {5: pbTensor, 6: pbGraph, 10: pbTensor, 11: pbGraph, 22: pbSparse, 23: pbSparse},
	pbTensor:   {13: pbEntry},
	pbSparse:   {1: pbTensor, 2: pbTensor},
	pbTraining: {1: pbGraph, 2: pbGraph},
	pbFunction: {7: pbNode},
}

// onnxWalk collects what the scanner needs from an ONNX model.
type onnxWalk struct {
	ra        io.ReaderAt
	graph     bool
	tensors   int64
	locations []string // external_data "location" values
	fields    int
}

// onnx walks an ONNX model and flags external data that points outside
// the model's directory. It returns false if the bytes are not ONNX.
func (s *scanner) onnx(member string, ra io.ReaderAt, size int64) bool {
	w := &onnxWalk{ra: ra}
	if err := w.message(0, size, pbModel, 0); err != nil || !w.graph {
		return false
	}
	s.rep.addSummary(0, 0, w.tensors)
	for _, loc := range w.locations {
		if why := s.badLocation(member, loc); why != "" {
			s.add(Finding{Member: member, Format: "onnx", Severity: SeverityDangerous,
				Message: fmt.Sprintf("external data location %q %s: loading would read files outside the model directory", loc, why)})
		}
	}
	return true
}

var drivePath = regexp.MustCompile(`^[A-Za-z]:`)

// badLocation says why an external data location is unsafe, or "".
func (s *scanner) badLocation(member, loc string) string {
	switch {
	case loc == "":
		return "is empty"
	case strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, `\`) || drivePath.MatchString(loc):
		return "is an absolute path"
	}
	parts := strings.FieldsFunc(loc, func(r rune) bool { return r == '/' || r == '\\' })
	for _, p := range parts {
		if p == ".." {
			return "climbs out with .."
		}
	}
	if s.baseDir == "" || member != "" {
		return ""
	}
	p := s.baseDir
	for _, part := range parts {
		p = filepath.Join(p, part)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return "passes through a symbolic link"
		}
	}
	return ""
}

// message walks the fields of one message in [off, end).
func (w *onnxWalk) message(off, end int64, kind, depth int) error {
	if depth > 64 {
		return errors.New("onnx: messages nested too deeply")
	}
	var key, val string
	for off < end {
		if w.fields++; w.fields > 10_000_000 {
			return errLimit
		}
		var buf [20]byte
		n, _ := w.ra.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		num, typ, tn := protowire.ConsumeTag(buf[:n])
		if tn < 0 || num == 0 {
			return fmt.Errorf("onnx: bad tag at offset %d", off)
		}
		off += int64(tn)
		switch typ {
		case protowire.VarintType:
			_, vn := protowire.ConsumeVarint(buf[tn:n])
			if vn < 0 {
				return fmt.Errorf("onnx: bad varint at offset %d", off)
			}
			off += int64(vn)
		case protowire.Fixed32Type:
			off += 4
		case protowire.Fixed64Type:
			off += 8
		case protowire.BytesType:
			l, ln := protowire.ConsumeVarint(buf[tn:n])
			if ln < 0 || l > uint64(end-off-int64(ln)) {
				return fmt.Errorf("onnx: field %d at offset %d overruns its message", num, off)
			}
			start := off + int64(ln)
			off = start + int64(l)
			if err := w.field(kind, num, start, off, depth, &key, &val); err != nil {
				return err
			}
		default:
			return fmt.Errorf("onnx: unsupported wire type %d at offset %d", typ, off)
		}
		if off > end {
			return fmt.Errorf("onnx: field %d overruns its message", num)
		}
	}
	if kind == pbEntry && key == "location" {
		w.locations = append(w.locations, val)
	}
	return nil
}

// field handles one length-delimited field of a message.
func (w *onnxWalk) field(kind int, num protowire.Number, start, end int64, depth int, key, val *string) error {
	if kind == pbEntry && (num == 1 || num == 2) {
		b := make([]byte, min(end-start, 4096))
		if _, err := w.ra.ReadAt(b, start); err != nil {
			return fmt.Errorf("onnx: read external data entry: %w", err)
		}
		if num == 1 {
			*key = string(b)
		} else {
			*val = string(b)
		}
		return nil
	}
	sub, ok := onnxFields[kind][num]
	if !ok {
		return nil
	}
	if kind == pbModel && num == 7 {
		w.graph = true
	}
	if kind == pbGraph && num == 5 {
		w.tensors++
	}
	return w.message(start, end, sub, depth+1)
}

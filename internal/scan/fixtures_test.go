package scan

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"strings"
)

// Pickle assembly helpers: each returns the bytes of one opcode.

func proto(n byte) string            { return "\x80" + string([]byte{n}) }
func glob(m, n string) string        { return "c" + m + "\n" + n + "\n" }
func ustr(s string) string           { return "\x8c" + string([]byte{byte(len(s))}) + s }
func binu(s string) string           { return "X" + le32(len(s)) + s }
func str0(s string) string           { return "S'" + s + "'\n" }
func stackGlobal(m, n string) string { return ustr(m) + ustr(n) + "\x93" }

func le32(n int) string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(n))
	return string(b[:])
}

func le64(n int) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	return string(b[:])
}

// call0 is a protocol-0 call of module.name with one string argument.
func call0(m, n, arg string) string { return glob(m, n) + "(" + str0(arg) + "tR" }

// call4 is a protocol-4 call of module.name with one string argument.
func call4(m, n, arg string) string {
	return proto(4) + "\x95" + le64(0) + stackGlobal(m, n) + "\x94" + ustr(arg) + "\x94\x85R\x94."
}

// zipMember describes one member of a hand-built zip.
type zipMember struct {
	name    string
	cdName  string // central directory name, if different
	data    []byte
	deflate bool
	flags   uint16
	badCRC  bool
	hidden  bool // no central directory record
	cdOnly  bool // only a central directory record, pointing at offset
	offset  int
}

// buildZip writes local headers and a central directory by hand, so tests
// can produce archives archive/zip would refuse to write.
func buildZip(members ...zipMember) []byte {
	var out, cd bytes.Buffer
	for _, m := range members {
		body := m.data
		method := uint16(0)
		if m.deflate {
			var b bytes.Buffer
			w, _ := flate.NewWriter(&b, flate.BestSpeed)
			w.Write(m.data)
			w.Close()
			body, method = b.Bytes(), 8
		}
		crc := crc32.ChecksumIEEE(m.data)
		if m.badCRC {
			crc ^= 0xdeadbeef
		}
		off := out.Len()
		hdr := func(sig string, name string, central bool) []byte {
			var b bytes.Buffer
			b.WriteString(sig)
			if central {
				b.Write([]byte{20, 0})
			}
			for _, v := range []uint16{20, m.flags, method, 0, 0} {
				binary.Write(&b, binary.LittleEndian, v)
			}
			for _, v := range []uint32{crc, uint32(len(body)), uint32(len(m.data))} {
				binary.Write(&b, binary.LittleEndian, v)
			}
			binary.Write(&b, binary.LittleEndian, uint16(len(name)))
			binary.Write(&b, binary.LittleEndian, uint16(0))
			if central {
				binary.Write(&b, binary.LittleEndian, [3]uint16{})
				binary.Write(&b, binary.LittleEndian, uint32(0))
				binary.Write(&b, binary.LittleEndian, uint32(off))
			}
			b.WriteString(name)
			return b.Bytes()
		}
		if m.cdOnly {
			off = m.offset
		} else {
			out.Write(hdr(sigLocal, m.name, false))
			out.Write(body)
		}
		if !m.hidden {
			name := m.name
			if m.cdName != "" {
				name = m.cdName
			}
			cd.Write(hdr(sigCentral, name, true))
		}
	}
	n := 0
	for _, m := range members {
		if !m.hidden {
			n++
		}
	}
	start := out.Len()
	out.Write(cd.Bytes())
	out.WriteString("PK\x05\x06")
	binary.Write(&out, binary.LittleEndian, [4]uint16{0, 0, uint16(n), uint16(n)})
	binary.Write(&out, binary.LittleEndian, [2]uint32{uint32(cd.Len()), uint32(start)})
	binary.Write(&out, binary.LittleEndian, uint16(0))
	return out.Bytes()
}

// npyBytes builds a version 1 .npy file with the given header dict.
func npyBytes(dict string, data []byte) []byte {
	h := dict
	pad := 64 - (10+len(h)+1)%64
	h += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic + "\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

// safetensorsBytes builds a safetensors file from a JSON header and data.
func safetensorsBytes(header string, data int) []byte {
	return []byte(le64(len(header)) + header + strings.Repeat("\x00", data))
}

package scan

import "encoding/binary"

// blockMasksSWAR flags the quotes, separators, '\n' and '\r' among the 64
// bytes of b, one bit a byte, eight bytes at a time in general-purpose registers.
func blockMasksSWAR(b []byte, sep byte) (q, s, n, r uint64) {
	_ = b[63]
	sepPat := eachByte * uint64(sep)
	var cr uint64
	for j := 0; j < 64; j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		q |= gather(byteMask(w, eachByte*'"')) << j
		s |= gather(byteMask(w, sepPat)) << j
		n |= gather(byteMask(w, eachByte*'\n')) << j
		cr |= byteMask(w, eachByte*'\r')
	}
	if cr != 0 { // seldom: gathered only when there is one
		for j := 0; j < 64; j += 8 {
			r |= gather(byteMask(binary.LittleEndian.Uint64(b[j:]), eachByte*'\r')) << j
		}
	}
	return q, s, n, r
}

package scan

import (
	"encoding/binary"
	"math/bits"
)

// Byte masks for the word-at-a-time CSV count: every byte of a word read
// little-endian is flagged by its high bit.
const (
	lowSeven = 0x7f7f7f7f7f7f7f7f
	highBits = 0x8080808080808080
	eachByte = 0x0101010101010101
)

// byteMask flags the bytes of w that equal the byte repeated in pat.
func byteMask(w, pat uint64) uint64 {
	x := w ^ pat
	// A byte's low seven bits plus 0x7f carry into its high bit (and no
	// further) unless they are all zero; with its own high bit, that
	// leaves the high bit clear only for a zero byte.
	return ^((x&lowSeven + lowSeven) | x | lowSeven)
}

// firstFlag is the mask of a word's first byte when b holds.
func firstFlag(b bool) uint64 {
	if b {
		return 0x80
	}
	return 0
}

// fast counts the records of chunk that start at i (where c is at the
// start of a record, outside quotes, with no '\r' pending) eight bytes at
// a time, for as long as they are plainly valid: quotes open fields and
// close them before a separator, a line break or a doubled quote, a '\r'
// outside quotes comes just before a '\n', and every record has the
// header's field count. A quote's place inside or outside a quoted field
// is the parity of the quotes before it, which holds for exactly such
// input. It returns where it stopped: the start of the first record it
// could not vouch for, or of the one the chunk cuts, which the byte-wise
// state machine then reads, finding any error where it always did. The
// lines it passes are no longer than the chunk, which the caller has
// checked against Limits.MaxHeader.
func (c *csvCounter) fast(chunk []byte, i int) int {
	quotePat, sepPat := eachByte*uint64('"'), eachByte*uint64(c.sep)
	lfPat, crPat := eachByte*uint64('\n'), eachByte*uint64('\r')
	var (
		inside    uint64 // highBits inside a quoted field at the word's start, else 0
		prevM     = true // the byte before the word is a separator, quote or '\n' (or none)
		prevClose bool   // the byte before the word closes a quoted field
		prevCR    bool   // the byte before the word is a '\r' outside quotes
		recStart  = i    // where the current record starts
		seps      int    // separators outside quotes in the current record so far
		line      = c.line
		done      = i // the end of the records counted
		doneLine  = c.line
	)
	for p := i; p+8 <= len(chunk); p += 8 {
		w := binary.LittleEndian.Uint64(chunk[p:])
		q, s, n, r := byteMask(w, quotePat), byteMask(w, sepPat), byteMask(w, lfPat), byteMask(w, crPat)
		if q|s|n|r == 0 && !prevClose && !prevCR { // text of a field
			prevM = false
			continue
		}
		in := q // after each byte: inside a quoted field?
		in ^= in << 8
		in ^= in << 16
		in ^= in << 32
		in ^= inside
		open, closing, crOut := q&in, q&^in, r&^in
		m := s | n | q
		if open&^(m<<8|firstFlag(prevM)) != 0 || // a quote that does not start a field
			(closing<<8|firstFlag(prevClose))&^(m|r) != 0 || // text after a closing quote
			(crOut<<8|firstFlag(prevCR))&^n != 0 { // a lone '\r' outside quotes
			break
		}
		inside = highBits * (in >> 63)
		prevM, prevClose, prevCR = m>>63 != 0, closing>>63 != 0, crOut>>63 != 0
		sepOut := s &^ in
		ok := true
		for nl := n &^ in; nl != 0; nl &= nl - 1 {
			bit := nl & -nl
			seps += bits.OnesCount64(sepOut & (bit - 1))
			sepOut &^= bit - 1
			end := p + bits.TrailingZeros64(bit)/8
			line += int64(bits.OnesCount64(n & (bit - 1))) // quoted line breaks before it
			n &^= bit - 1
			switch {
			case end == recStart || end == recStart+1 && chunk[recStart] == '\r':
				// An empty line is no record.
			case c.cols == 0:
				c.cols = int64(seps) + 1 // the header
			case int64(seps)+1 != c.cols:
				ok = false
			default:
				c.rows++
			}
			if !ok {
				break
			}
			line++
			n &^= bit
			recStart, seps, done, doneLine = end+1, 0, end+1, line
		}
		if !ok {
			break
		}
		seps += bits.OnesCount64(sepOut)
		line += int64(bits.OnesCount64(n))
	}
	c.line = doneLine
	return done
}

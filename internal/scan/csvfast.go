package scan

import (
	"bytes"
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

// gather packs the high bits of a byte mask into the low byte.
func gather(m uint64) uint64 {
	// Bit 8k+7 times 2^(7(7-k)) lands on bit 56+k; no two products meet.
	return m * 0x0002040810204081 >> 56
}

// fast counts the records of chunk that start at i (where c is at the
// start of a record, outside quotes, with no '\r' pending) 64 bytes at a
// time, for as long as they are plainly valid: quotes open fields and
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
	var (
		inside    uint64     // all ones inside a quoted field at the block's start
		prevM     uint64 = 1 // 1: the byte before the block is a separator, quote or '\n' (or none)
		prevClose uint64     // 1: the byte before the block closes a quoted field
		prevCR    uint64     // 1: the byte before the block is a '\r' outside quotes
		recStart  = i        // where the current record starts
		seps      int        // separators outside quotes in the current record so far
		rows      = c.rows
		cols      = c.cols
		done      = i // the end of the records counted
	)
blocks:
	for p := i; p+64 <= len(chunk); p += 64 {
		q, s, n, r := blockMasks(chunk[p:p+64], c.sep)
		in := q // after each byte: inside a quoted field?
		in ^= in << 1
		in ^= in << 2
		in ^= in << 4
		in ^= in << 8
		in ^= in << 16
		in ^= in << 32
		in ^= inside
		open, closing, crOut := q&in, q&^in, r&^in
		m := s | n | q
		if open&^(m<<1|prevM) != 0 || // a quote that does not start a field
			(closing<<1|prevClose)&^(m|r) != 0 || // text after a closing quote
			(crOut<<1|prevCR)&^n != 0 { // a lone '\r' outside quotes
			break
		}
		inside = -(in >> 63)
		prevM, prevClose, prevCR = m>>63, closing>>63, crOut>>63
		sepOut := s &^ in
		for nl := n &^ in; nl != 0; nl &= nl - 1 {
			below := nl&-nl - 1
			seps += bits.OnesCount64(sepOut & below)
			sepOut &^= below
			end := p + bits.TrailingZeros64(nl)
			switch {
			case end == recStart || end == recStart+1 && chunk[recStart] == '\r':
				// An empty line is no record.
			case cols == 0:
				cols = int64(seps) + 1 // the header
				c.cols = cols
			case int64(seps)+1 != cols:
				break blocks
			default:
				rows++
			}
			recStart, seps, done = end+1, 0, end+1
		}
		seps += bits.OnesCount64(sepOut)
	}
	// A record that fails is left before it is counted.
	c.rows = rows
	c.line += int64(bytes.Count(chunk[i:done], []byte{'\n'}))
	return done
}

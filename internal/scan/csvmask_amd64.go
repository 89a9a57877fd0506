package scan

// blockMasksSSE2 is blockMasksSWAR of the 64 bytes at b with SSE2 byte
// compares, which every amd64 processor has.
//
//go:noescape
func blockMasksSSE2(b *byte, sep byte) (q, s, n, r uint64)

// blockMasks flags the quotes, separators, '\n' and '\r' among the 64
// bytes of b, one bit a byte.
func blockMasks(b []byte, sep byte) (q, s, n, r uint64) {
	_ = b[63]
	return blockMasksSSE2(&b[0], sep)
}

//go:build !amd64

package scan

// blockMasks flags the quotes, separators, '\n' and '\r' among the 64
// bytes of b, one bit a byte.
func blockMasks(b []byte, sep byte) (q, s, n, r uint64) {
	return blockMasksSWAR(b, sep)
}

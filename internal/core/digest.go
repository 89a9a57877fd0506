package core

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// DigestPrefix is the algorithm prefix of every digest lockstep writes.
const DigestPrefix = "sha256:"

// Digest names content by its SHA-256: always written "sha256:<64 lowercase hex>".
type Digest string

// ErrBadDigest is wrapped by ParseDigest when a string is not a digest.
var ErrBadDigest = errors.New("not a sha256 digest")

// ParseDigest checks that s is "sha256:" followed by 64 lowercase hex digits.
// A bare 64-character hex string is accepted and given the prefix.
func ParseDigest(s string) (Digest, error) {
	h := strings.TrimPrefix(s, DigestPrefix)
	if len(h) != sha256.Size*2 {
		return "", fmt.Errorf("%s: %w (want sha256:<64 hex digits>)", Excerpt(s), ErrBadDigest)
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("%s: %w (want lowercase hex digits)", Excerpt(s), ErrBadDigest)
		}
	}
	return Digest(DigestPrefix + h), nil
}

// DigestOf returns the digest of b.
func DigestOf(b []byte) Digest {
	sum := sha256.Sum256(b)
	return DigestFromSum(sum[:])
}

// DigestFromSum turns a raw 32-byte SHA-256 sum into a Digest.
func DigestFromSum(sum []byte) Digest {
	return Digest(DigestPrefix + hex.EncodeToString(sum))
}

// NewHash returns the hash function behind Digest.
func NewHash() hash.Hash { return sha256.New() }

// Hex returns the 64 hex digits without the algorithm prefix.
func (d Digest) Hex() string { return strings.TrimPrefix(string(d), DigestPrefix) }

// Short returns the first 12 hex digits, for people to read.
func (d Digest) Short() string {
	h := d.Hex()
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Sum returns the raw 32-byte SHA-256 sum, or nil if d is malformed.
func (d Digest) Sum() []byte {
	b, err := hex.DecodeString(d.Hex())
	if err != nil || len(b) != sha256.Size {
		return nil
	}
	return b
}

// Valid reports whether d is a well-formed digest.
func (d Digest) Valid() bool {
	_, err := ParseDigest(string(d))
	return err == nil && strings.HasPrefix(string(d), DigestPrefix)
}

// String returns d as written: "sha256:<hex>".
func (d Digest) String() string { return string(d) }

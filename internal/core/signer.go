package core

import (
	"context"
	"crypto"
)

// Signer signs with a private key it never shows: a key file today, a KMS
// or the team server later. Whoever holds the builder's key passes one to
// the engine; nothing below resolves key paths itself.
type Signer interface {
	// SignMessage signs message as the key's algorithm requires (hashing
	// it first where the algorithm does).
	SignMessage(ctx context.Context, message []byte) ([]byte, error)
	// Public returns the public half, which verifiers trust.
	Public() crypto.PublicKey
}

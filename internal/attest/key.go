package attest

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"path/filepath"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"lockstep.dev/lockstep/internal/core"
)

// PublicKey is a trusted verification key: the public half of a Signer, read
// from a PEM SubjectPublicKeyInfo file such as cosign.pub.
type PublicKey struct {
	// Name is the file the key came from (its base name), or the name of
	// the Signer it belongs to; it is only for people to read.
	Name string
	// Key is the parsed key: *ecdsa.PublicKey, ed25519.PublicKey or
	// *rsa.PublicKey.
	Key crypto.PublicKey

	der []byte // SubjectPublicKeyInfo
	pem []byte // canonical PEM encoding of der
}

// LoadPublicKey reads a PEM "PUBLIC KEY" file (as written by Signer.Save or
// `cosign generate-key-pair`).
func LoadPublicKey(path string) (*PublicKey, error) {
	b, err := core.ReadFileLimited(path, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load public key: %w", err)
	}
	k, err := ParsePublicKey(filepath.Base(path), b)
	if err != nil {
		return nil, fmt.Errorf("load public key %s: %w", path, err)
	}
	return k, nil
}

// ParsePublicKey parses PEM bytes holding a public key and names it name.
func ParsePublicKey(name string, pemBytes []byte) (*PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found (want a %q PEM file)", cryptoutils.PublicKeyPEMType)
	}
	if block.Type != string(cryptoutils.PublicKeyPEMType) {
		return nil, fmt.Errorf("PEM block is %s, want %q (pass the .pub file, not the private key)", core.Excerpt(block.Type), cryptoutils.PublicKeyPEMType)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pem.EncodeToMemory(block))
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return newPublicKey(name, pub)
}

func newPublicKey(name string, pub crypto.PublicKey) (*PublicKey, error) {
	if _, err := signature.GetDefaultAlgorithmDetails(pub); err != nil {
		return nil, fmt.Errorf("unsupported public key: %w", err)
	}
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	p, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return &PublicKey{Name: name, Key: pub, der: der, pem: p}, nil
}

// PEM returns the key as a PEM "PUBLIC KEY" block, the format of cosign.pub.
func (k *PublicKey) PEM() []byte { return append([]byte(nil), k.pem...) }

// Fingerprint returns the SSH-style fingerprint people compare:
// "SHA256:" and the unpadded base64 of the SHA-256 of the key's DER
// SubjectPublicKeyInfo.
func (k *PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k.der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// Hint returns the key hint written into bundles: the hex SHA-256 of the
// key's PEM encoding, as the OpenSSF model-signing tools write it.
func (k *PublicKey) Hint() string {
	sum := sha256.Sum256(k.pem)
	return hex.EncodeToString(sum[:])
}

// cosignHint is the hint cosign writes into the bundles it makes: the
// padded base64 SHA-256 of the DER SubjectPublicKeyInfo.
func (k *PublicKey) cosignHint() string {
	sum := sha256.Sum256(k.der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// String names the key for messages: its name and fingerprint.
func (k *PublicKey) String() string {
	if k.Name == "" {
		return k.Fingerprint()
	}
	return k.Name + " (" + k.Fingerprint() + ")"
}

// Equal reports whether k and other are the same key.
func (k *PublicKey) Equal(other *PublicKey) bool {
	return other != nil && string(k.der) == string(other.der)
}

// verifier returns the sigstore verifier for the key with the algorithm
// Sigstore's registry assigns to it (SHA-256 for P-256, SHA-384 for P-384,
// pure Ed25519 for Ed25519 keys).
func (k *PublicKey) verifier() (signature.Verifier, error) {
	v, err := signature.LoadDefaultVerifier(k.Key)
	if err != nil {
		return nil, fmt.Errorf("load verifier for key %s: %w", k.Name, err)
	}
	return v, nil
}

package attest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"

	"lockstep.dev/lockstep/internal/core"
)

// KeyType names a kind of signing key.
type KeyType string

// Key types GenerateKey can make.
const (
	// KeyECDSAP256 is ECDSA on NIST P-256 with SHA-256, cosign's default
	// and lockstep's.
	KeyECDSAP256 KeyType = "ecdsa-p256"
	// KeyEd25519 is Ed25519 (pure, as DSSE uses it).
	KeyEd25519 KeyType = "ed25519"
)

// KeyTypes lists the key types GenerateKey accepts, default first.
var KeyTypes = []KeyType{KeyECDSAP256, KeyEd25519}

// PEM block types of encrypted private keys: the first is written by
// Signer.Save and current cosign, the second by cosign before v2.
const (
	encryptedSigstoreKeyType = string(cryptoutils.EncryptedSigstorePrivateKeyPEMType)
	encryptedCosignKeyType   = "ENCRYPTED COSIGN PRIVATE KEY"
)

// Signer is a private signing key with its public half and a name.
// The private key is never written anywhere except encrypted by Save.
type Signer struct {
	crypto.Signer
	// PublicKey is the public half, for writing next to the private key
	// and for verifiers to trust.
	PublicKey *PublicKey
	// Name is the private key's file base name, or "" for a new key.
	Name string

	sv signature.SignerVerifier
}

// String names the signer for messages and logs; the private key never
// appears in it.
func (s Signer) String() string {
	name := s.Name
	if name == "" {
		name = "new key"
	}
	if s.PublicKey == nil {
		return name
	}
	return name + " (" + s.PublicKey.Fingerprint() + ")"
}

// GoString is String, so that %#v does not print the private key either.
func (s Signer) GoString() string { return "attest.Signer{" + s.String() + "}" }

// SignMessage signs message with the key (core.Signer): ECDSA and RSA keys
// over its SHA-256, Ed25519 keys over the message itself.
func (s *Signer) SignMessage(ctx context.Context, message []byte) ([]byte, error) {
	if s == nil || s.sv == nil {
		return nil, errors.New("no signing key (load one with LoadSigner)")
	}
	return s.sv.SignMessage(bytes.NewReader(message), options.WithContext(ctx))
}

var _ core.Signer = (*Signer)(nil)

// ParseKeyType turns a user's key type ("" means the default) into a
// KeyType.
func ParseKeyType(s string) (KeyType, error) {
	if s == "" {
		return KeyECDSAP256, nil
	}
	for _, t := range KeyTypes {
		if KeyType(strings.ToLower(s)) == t {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown key type %q (want %s or %s)", s, KeyECDSAP256, KeyEd25519)
}

// GenerateKey makes a new signing key of type typ ("" means KeyECDSAP256).
func GenerateKey(typ KeyType) (*Signer, error) {
	t, err := ParseKeyType(string(typ))
	if err != nil {
		return nil, err
	}
	var priv crypto.Signer
	switch t {
	case KeyEd25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", t, err)
	}
	return newSigner("", priv)
}

func newSigner(name string, priv crypto.PrivateKey) (*Signer, error) {
	cs, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key of type %T cannot sign", priv)
	}
	sv, err := signature.LoadDefaultSignerVerifier(cs)
	if err != nil {
		return nil, fmt.Errorf("load signer: %w", err)
	}
	pub, err := newPublicKey(strings.TrimSuffix(name, filepath.Ext(name)), cs.Public())
	if err != nil {
		return nil, err
	}
	return &Signer{Signer: cs, PublicKey: pub, Name: name, sv: sv}, nil
}

// LoadSigner reads an encrypted private key file written by Signer.Save or
// `cosign generate-key-pair` ("ENCRYPTED SIGSTORE PRIVATE KEY" or
// "ENCRYPTED COSIGN PRIVATE KEY" PEM) and decrypts it with the passphrase
// that passphrase returns. A wrong passphrase gives ErrWrongPassphrase.
func LoadSigner(path string, passphrase func() ([]byte, error)) (*Signer, error) {
	b, err := core.ReadFileLimited(path, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	s, err := ParseSigner(filepath.Base(path), b, passphrase)
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", path, err)
	}
	return s, nil
}

// ParseSigner decrypts an encrypted private key PEM and names it name.
func ParseSigner(name string, pemBytes []byte, passphrase func() ([]byte, error)) (*Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found (want an %q file from `lockstep key generate` or `cosign generate-key-pair`)", encryptedSigstoreKeyType)
	}
	if block.Type != encryptedSigstoreKeyType && block.Type != encryptedCosignKeyType {
		return nil, fmt.Errorf("PEM block is %s, want %q (only encrypted cosign-format keys are accepted)", core.Excerpt(block.Type), encryptedSigstoreKeyType)
	}
	pass, err := passphrase()
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	der, err := encrypted.Decrypt(block.Bytes, pass)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w (check LOCKSTEP_PASSWORD)", ErrWrongPassphrase)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse decrypted key: %w", err)
	}
	return newSigner(name, priv)
}

// EncryptedPEM returns the private key encrypted with the passphrase as an
// "ENCRYPTED SIGSTORE PRIVATE KEY" PEM block, cosign's format (PKCS #8 DER
// sealed with scrypt and NaCl secretbox).
func (s *Signer) EncryptedPEM(passphrase func() ([]byte, error)) ([]byte, error) {
	der, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(s.Signer, func(bool) ([]byte, error) {
		p, err := passphrase()
		if err == nil && p == nil {
			p = []byte{}
		}
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("encrypt private key: %w", err)
	}
	return cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, der), nil
}

// Save writes the private key encrypted to keyPath (mode 0600) and the
// public key to pubPath (mode 0644). It refuses to overwrite either file,
// and leaves neither behind when it fails.
func (s *Signer) Save(keyPath, pubPath string, passphrase func() ([]byte, error)) error {
	priv, err := s.EncryptedPEM(passphrase)
	if err != nil {
		return err
	}
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("save key pair: %s: %w (remove it or choose another name)", p, os.ErrExist)
		}
	}
	if err := core.WriteAtomic(keyPath, core.WriteOptions{Perm: 0o600, NoReplace: true}, writeBytes(priv)); err != nil {
		return fmt.Errorf("save private key: %w", err)
	}
	if err := core.WriteAtomic(pubPath, core.WriteOptions{Perm: 0o644, NoReplace: true}, writeBytes(s.PublicKey.PEM())); err != nil {
		_ = os.Remove(keyPath)
		return fmt.Errorf("save public key: %w", err)
	}
	s.Name = filepath.Base(keyPath)
	s.PublicKey.Name = filepath.Base(pubPath)
	return nil
}

// writeBytes is a WriteAtomic fill that writes b.
func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

package home

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// secretKeySize is the length of the key that seals secret values.
const secretKeySize = 32

// SecretKeyPath is the file holding the key that seals secret values in
// environment records (HMAC-SHA256): random, readable by its owner only,
// and never stored in the store, so a record's sealed values cannot be
// checked against guesses by anyone who reads only the store.
func (h *Home) SecretKeyPath() string { return secretKeyPath(h.Root) }

func secretKeyPath(root string) string { return filepath.Join(root, "secret.key") }

// SecretKey returns the home's key for sealing secret values, creating a
// random one on first use. Two processes creating it at once agree on one
// key: the file is linked into place only when none exists.
func (h *Home) SecretKey() ([]byte, error) { return SecretKeyAt(h.Root) }

// SecretKeyAt is SecretKey for the home folder root, without opening the
// home: what a task executor uses.
func SecretKeyAt(root string) ([]byte, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("make secret key: %w", err)
	}
	path := secretKeyPath(root)
	key, err := readSecretKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, secretKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make secret key: %w", err)
	}
	f, err := os.CreateTemp(root, ".secret.key.tmp-*")
	if err != nil {
		return nil, fmt.Errorf("make secret key: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("make secret key %s: %w", path, err)
	}
	return readSecretKey(path)
}

// readSecretKey reads and checks a key file.
func readSecretKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(key) != secretKeySize {
		return nil, fmt.Errorf("secret key %s holds %d bytes, want %d: remove it and a new one is made (sealed secrets in later records then differ from earlier ones)", path, len(key), secretKeySize)
	}
	return key, nil
}

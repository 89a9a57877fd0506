package storetest

import (
	"fmt"
	"os"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Damager is implemented by a test's wrapper of a blob backend that has no
// local files, so that the suite can alter an object behind the backend's
// back, as a failing disk or an attacker would.
type Damager interface {
	// Damage replaces object d's bytes with mutate's result.
	Damage(d core.Digest, mutate func([]byte) []byte) error
}

// damage alters object d of b through Damager or, for a backend with
// local files, by rewriting the object's file.
func damage(b store.Blob, d core.Digest, mutate func([]byte) []byte) error {
	if dm, ok := b.(Damager); ok {
		return dm.Damage(d, mutate)
	}
	lf, ok := b.(store.LocalFiles)
	if !ok {
		return fmt.Errorf("%T has no local files: wrap it in a type implementing storetest.Damager", b)
	}
	p := lf.ObjectFile(d)
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := os.Chmod(p, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(p, mutate(data), 0o644); err != nil {
		return err
	}
	return os.Chmod(p, 0o444)
}

// Damage alters object d of st as a failing disk or an attacker with
// access to the store's backend would, for tests of what notices: mutate
// gets the object's bytes and returns the bytes to leave in their place.
func Damage(t testing.TB, st *store.Store, d core.Digest, mutate func([]byte) []byte) {
	t.Helper()
	if err := damage(st.Blob(), d, mutate); err != nil {
		t.Fatalf("damage object %s: %v", d, err)
	}
}

// FlipByte is a mutation for Damage: one bit of the middle byte flipped.
func FlipByte(b []byte) []byte {
	b = append([]byte(nil), b...)
	b[len(b)/2] ^= 0x01
	return b
}

// Truncate is a mutation for Damage: the last byte cut off.
func Truncate(b []byte) []byte { return b[:len(b)-1] }

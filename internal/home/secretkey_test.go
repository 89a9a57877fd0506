package home

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestSecretKeyIsMadeOncePrivateAndKept(t *testing.T) {
	h := &Home{Root: t.TempDir()}
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := h.SecretKey()
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("processes creating the key at once got different keys")
		}
	}
	fi, err := os.Stat(h.SecretKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("secret key mode %v, want readable by its owner only", fi.Mode().Perm())
	}
	if again, _ := h.SecretKey(); !bytes.Equal(again, keys[0]) {
		t.Error("the key changed on a later use")
	}
	if entries, _ := os.ReadDir(h.Root); len(entries) != 1 {
		t.Errorf("home holds %d files after making the key, want 1", len(entries))
	}
	if err := os.WriteFile(h.SecretKeyPath(), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.SecretKey(); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a damaged key file: %v, want an error saying to remove it", err)
	}
}

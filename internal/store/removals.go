package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// The removal token is a random value in the store's cache folder
// (ROOT/cache/removals) that Store.Remove replaces, durably, before it
// removes its first object. A hash cache file tagged with the current
// token vouches that the store holds every object it names; see hashCache.
const (
	tokenLen = 32
	// noRemovalsToken is the token of a store from which nothing was ever
	// removed (no token file).
	noRemovalsToken = "00000000000000000000000000000000"
)

// untrustedTag is written in place of a token by a cache file that is
// valid under none.
var untrustedTag = strings.Repeat("-", tokenLen)

// tokenPathOf returns the token file beside the hash cache file path.
func tokenPathOf(cachePath string) string {
	return filepath.Join(filepath.Dir(cachePath), "removals")
}

// validToken reports whether t is a well-formed token.
func validToken(t string) bool {
	return len(t) == tokenLen && strings.Trim(t, "0123456789abcdef") == ""
}

// readRemovalToken returns the current removal token, noRemovalsToken if
// nothing was ever removed, or "" if the file cannot be read, which makes
// no cache file trusted.
func readRemovalToken(path string) string {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return noRemovalsToken
	}
	if t := strings.TrimSpace(string(b)); err == nil && validToken(t) {
		return t
	}
	return ""
}

// beginRemoval replaces the removal token with a fresh one, durably,
// before this process removes its first object (later calls do nothing),
// and from then on counts sum as removed. Every hash cache file written
// before is from then on untrusted; this process's own cache stays
// trusted except for what it removes, and its save writes a file valid
// under the new token.
func (c *hashCache) beginRemoval(sum [32]byte) error {
	if c == nil {
		return nil
	}
	c.load() // the entries as they were before the removal
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed == nil {
		var b [tokenLen / 2]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("new removal token: %w", err)
		}
		tok := hex.EncodeToString(b[:])
		if err := core.WriteFileAtomic(c.tokenPath, []byte(tok+"\n"), 0o644); err != nil {
			return fmt.Errorf("new removal token: %w", err)
		}
		c.preTok, c.loadTok = c.loadTok, tok
		c.removed = map[[32]byte]struct{}{}
	}
	c.removed[sum] = struct{}{}
	return nil
}

package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func TestCheckLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		links map[string]string // path -> target
		ok    bool
	}{
		{"sibling", map[string]string{"a/l": "../b"}, true},
		{"chain inside", map[string]string{"d/e/up": "../../d", "s": "d/e/up/e"}, true},
		{"chain escapes", map[string]string{"d/e/up": "../../d", "s": "d/e/up/../.."}, false},
		{"link to a link to the parent", map[string]string{"x/p": "..", "y": "x/p/x/p/.."}, false},
		{"loop", map[string]string{"a": "b", "b": "a"}, false},
		{"dot dot at the root", map[string]string{"l": "../x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var entries []core.TreeEntry
			for p, target := range tc.links {
				entries = append(entries, core.TreeEntry{Path: p, Kind: core.KindSymlink, Mode: 0o777, Target: target})
			}
			err := checkLinks(core.NewTree(entries))
			if (err == nil) != tc.ok {
				t.Fatalf("checkLinks = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestPutTreeRefusesEscapingChain(t *testing.T) {
	s := newStore(t)
	dir := writeFixture(t, fixture{"d/e/up": "->../../d", "s": "->d/e/up/../.."})
	if resolved, err := filepath.EvalSymlinks(filepath.Join(dir, "s")); err != nil || resolved != filepath.Dir(dir) {
		t.Fatalf("fixture: s resolves to %s, %v; want the parent of the tree", resolved, err)
	}
	_, _, err := s.PutTree(context.Background(), dir, TreeOptions{})
	if err == nil || !strings.Contains(err.Error(), "outside the tree") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want one naming the tree and the escaping link", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "s")); err != nil {
		t.Fatal(err)
	}
}

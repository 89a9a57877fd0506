package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func FuzzDecodeTree(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "sample-tree.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(golden),
		`{"entries":[],"type":"lockstep.tree/v1"}`,
		`{"type":"lockstep.tree/v1","entries":[]}`,
		`{"type":"lockstep.tree/v1","entries":[{"path":"a","kind":"file","mode":420,"size":1,"digest":"sha256:` + core.DigestOf(nil).Hex() + `"},{"path":"a/b","kind":"dir","mode":493}]}`,
		`{"type":"lockstep.tree/v1","entries":[{"path":"../x","kind":"symlink","mode":511,"target":"y"}]}`,
		`{"type":"lockstep.tree/v1","entries":[],"extra":1}`,
		`{"type":"lockstep.tree/v1","entries":[]} {}`,
		`[`,
		`{"entries":[{"kind":"symlink","mode":511,"path":"d/e/up","size":0,"target":"../../d"},{"kind":"symlink","mode":511,"path":"s","size":0,"target":"d/e/up/../.."}],"type":"lockstep.tree/v1"}`,
		`{"entries":[{"kind":"symlink","mode":511,"path":"a","size":0,"target":"b"},{"kind":"symlink","mode":511,"path":"b","size":0,"target":"a"}],"type":"lockstep.tree/v1"}`,
		`{"type":"lockstep.tree/v1","entries":[{"path":"\u003c\u2028é\u0001&\"\\","kind":"symlink","mode":511,"target":"x\u003e"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tree, err := decodeTree(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadTree) {
				t.Fatalf("error does not wrap ErrBadTree: %v", err)
			}
			return
		}
		if err := tree.Validate(); err != nil {
			t.Fatalf("accepted an invalid tree: %v", err)
		}
		// What was accepted survives a canonical round trip unchanged.
		canon, err := core.CanonicalJSON(tree)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeTree(bytes.NewReader(canon))
		if err != nil {
			t.Fatalf("canonical form of an accepted tree refused: %v", err)
		}
		if !reflect.DeepEqual(tree, again) {
			t.Fatalf("round trip changed the tree:\n%+v\n%+v", tree, again)
		}
		if fast := treeJSON(tree); !bytes.Equal(fast, canon) {
			t.Fatalf("treeJSON differs from core.CanonicalJSON:\n%s\n%s", fast, canon)
		}
		if !bytes.Equal(b, canon) {
			t.Fatalf("accepted a non-canonical encoding:\n%s\nwant\n%s", b, canon)
		}
	})
}

func FuzzDecodeCache(f *testing.F) {
	var buf bytes.Buffer
	encodeCache(&buf, noRemovalsToken, map[fileKey][32]byte{{dev: 1, ino: 2, size: 3, mtime: 4, ctime: 5}: {9}})
	f.Add(buf.Bytes())
	f.Add([]byte(cacheMagic))
	f.Add([]byte(cacheMagicV1))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := map[fileKey][32]byte{}
		tok, err := decodeCache(bytes.NewReader(b), m)
		if err != nil {
			tok = ""
		}
		var out bytes.Buffer
		if err := encodeCache(&out, tok, m); err != nil {
			t.Fatal(err)
		}
		m2 := map[fileKey][32]byte{}
		tok2, err := decodeCache(&out, m2)
		if err != nil || tok2 != tok || !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-encoded cache does not decode to the same token and entries: %q %q %v", tok, tok2, err)
		}
	})
}

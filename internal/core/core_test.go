package core

import (
	"strings"
	"testing"
)

func TestParseDigest(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	tests := []struct {
		in      string
		want    Digest
		wantErr bool
	}{
		{"sha256:" + hex, Digest("sha256:" + hex), false},
		{hex, Digest("sha256:" + hex), false},
		{"sha256:" + strings.ToUpper(hex), "", true},
		{"sha256:abc", "", true},
		{"md5:" + hex, "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseDigest(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDigest(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDigestOfKnownVector(t *testing.T) {
	// sha256("abc") from FIPS 180-2.
	want := "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := DigestOf([]byte("abc")); string(got) != want {
		t.Fatalf("DigestOf(abc) = %s, want %s", got, want)
	}
	if got := DigestOf([]byte("abc")).Short(); got != "ba7816bf8f01" {
		t.Fatalf("Short = %s", got)
	}
}

func TestCanonicalJSONIsOrderIndependent(t *testing.T) {
	a, err := CanonicalJSON(map[string]any{"b": 1, "a": "<x>", "c": []int{3, 1}})
	if err != nil {
		t.Fatal(err)
	}
	type s struct {
		C []int  `json:"c"`
		B int    `json:"b"`
		A string `json:"a"`
	}
	b, err := CanonicalJSON(s{C: []int{3, 1}, B: 1, A: "<x>"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":"<x>","b":1,"c":[3,1]}`
	if string(a) != want || string(b) != want {
		t.Fatalf("canonical forms differ:\n%s\n%s\nwant %s", a, b, want)
	}
}

func TestCanonicalJSONKeepsLargeIntegersExact(t *testing.T) {
	b, err := CanonicalJSON(map[string]int64{"seed": 9007199254740993})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"seed":9007199254740993}` {
		t.Fatalf("got %s", b)
	}
}

func TestTreeValidate(t *testing.T) {
	d := DigestOf(nil)
	tests := []struct {
		name    string
		entries []TreeEntry
		wantErr string
	}{
		{"ok", []TreeEntry{{Path: "a/b", Kind: KindFile, Mode: 0o644, Digest: d}, {Path: "a/c", Kind: KindSymlink, Target: "b"}}, ""},
		{"dotdot", []TreeEntry{{Path: "../x", Kind: KindFile, Digest: d}}, "leaves the tree"},
		{"unclean", []TreeEntry{{Path: "a//b", Kind: KindFile, Digest: d}}, "not clean"},
		{"absolute", []TreeEntry{{Path: "/etc/passwd", Kind: KindFile, Digest: d}}, "absolute"},
		{"duplicate", []TreeEntry{{Path: "a", Kind: KindFile, Digest: d}, {Path: "a", Kind: KindFile, Digest: d}}, "duplicated"},
		{"escaping link", []TreeEntry{{Path: "a", Kind: KindSymlink, Target: "../../etc"}}, "outside"},
		{"absolute link", []TreeEntry{{Path: "a", Kind: KindSymlink, Target: "/etc"}}, "absolute"},
		{"bad digest", []TreeEntry{{Path: "a", Kind: KindFile, Digest: "sha256:00"}}, "bad digest"},
		{"bad kind", []TreeEntry{{Path: "a", Kind: "fifo"}}, "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Tree{Type: TreeType, Entries: tt.entries}).Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTreeLookup(t *testing.T) {
	tr := NewTree([]TreeEntry{{Path: "z"}, {Path: "a"}, {Path: "m/n"}})
	if _, ok := tr.Lookup("m/n"); !ok {
		t.Fatal("m/n not found")
	}
	if _, ok := tr.Lookup("m"); ok {
		t.Fatal("m found")
	}
	if tr.Entries[0].Path != "a" {
		t.Fatal("not sorted")
	}
}

func TestTreeValidateFollowsLinkChains(t *testing.T) {
	tr := NewTree([]TreeEntry{
		{Path: "d/e/up", Kind: KindSymlink, Target: "../../d"},
		{Path: "s", Kind: KindSymlink, Target: "d/e/up/../.."},
	})
	if err := tr.Validate(); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("a chained escaping link passed validation: %v", err)
	}
}

func TestSplitRefFindsTheDotAfterAnItem(t *testing.T) {
	for _, c := range []struct{ ref, task, out string }{
		{"train.model", "train", "model"},
		{"train[lr=0.1,seed=2].metrics", "train[lr=0.1,seed=2]", "metrics"},
		{"clean[shard=a.csv].out", "clean[shard=a.csv]", "out"},
		{"train[lr=0.1]", "train[lr=0.1]", ""},
		{"train[lr=0.1", "train[lr=0.1", ""},
		{"split.shards/a.csv", "split", "shards/a.csv"},
	} {
		task, out, _ := SplitRef(c.ref)
		if task != c.task || out != c.out {
			t.Errorf("SplitRef(%q) = %q, %q; want %q, %q", c.ref, task, out, c.task, c.out)
		}
	}
}

package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func TestPutTreeEmptyDir(t *testing.T) {
	s := newStore(t)
	d, _, err := s.PutTree(context.Background(), t.TempDir(), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := s.ReadBytes(d)
	if want := `{"entries":[],"type":"lockstep.tree/v1"}`; string(raw) != want {
		t.Fatalf("empty dir manifest %s, want %s", raw, want)
	}
}

func TestGetTreeRefuses(t *testing.T) {
	s := newStore(t)
	file := `{"digest":"` + core.DigestOf(nil).String() + `","kind":"file","mode":420,"path":"a","size":0}`
	for _, tc := range []struct{ name, body string }{
		{"not json", "hello"},
		{"not canonical", `{"type":"lockstep.tree/v1","entries":[]}`},
		{"white space", `{"entries": [],"type":"lockstep.tree/v1"}`},
		{"unknown field", `{"entries":[],"extra":1,"type":"lockstep.tree/v1"}`},
		{"wrong type", `{"entries":[],"type":"lockstep.run/v1"}`},
		{"path leaves the tree", `{"entries":[{"kind":"dir","mode":493,"path":"../x","size":0}],"type":"lockstep.tree/v1"}`},
		{"entry under a file", `{"entries":[` + file + `,{"kind":"dir","mode":493,"path":"a/b","size":0}],"type":"lockstep.tree/v1"}`},
		{"trailing data", `{"entries":[],"type":"lockstep.tree/v1"}{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s.PutBytes([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetTree(d); !errors.Is(err, ErrBadTree) {
				t.Fatalf("err = %v, want ErrBadTree", err)
			}
			dest := filepath.Join(t.TempDir(), "out")
			if err := s.Materialize(context.Background(), d, dest, MaterializeOptions{}); !errors.Is(err, ErrBadTree) {
				t.Fatalf("Materialize: err = %v, want ErrBadTree", err)
			}
		})
	}
	if _, err := s.GetTree(core.DigestOf([]byte("missing"))); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing tree: err = %v, want ErrNotFound", err)
	}
}

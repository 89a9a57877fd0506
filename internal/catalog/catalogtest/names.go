package catalogtest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

func testBindNameIsImmutable(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	if err := c.BindName(ctx, "dataset", "housing@2017", Digest("tree"), Digest("bom")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		kind    string
		d, meta string
		wantErr error
		msg     string
	}{
		{name: "same binding again", kind: "dataset", d: "tree", meta: "bom"},
		{name: "other digest", kind: "dataset", d: "other tree", meta: "bom", wantErr: catalog.ErrNameTaken, msg: string(Digest("tree"))},
		{name: "other meta", kind: "dataset", d: "tree", meta: "other bom", wantErr: catalog.ErrNameTaken, msg: string(Digest("bom"))},
		{name: "same name, other kind", kind: "model", d: "other tree", meta: ""},
	} {
		meta := Digest(tc.meta)
		if tc.meta == "" {
			meta = ""
		}
		err := c.BindName(ctx, tc.kind, "housing@2017", Digest(tc.d), meta)
		if tc.wantErr == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), string(Digest(tc.d))) {
			t.Errorf("%s: err = %v, want %v showing %s and %s", tc.name, err, tc.wantErr, tc.msg, Digest(tc.d))
		}
	}
	d, meta, err := c.Name(ctx, "dataset", "housing@2017")
	if err != nil || d != Digest("tree") || meta != Digest("bom") {
		t.Errorf("Name() = %s, %s, %v; want the first binding", d, meta, err)
	}
}

func testBindNameRejectsBadInput(t *testing.T, c catalog.Catalog) {
	for _, tc := range []struct {
		kind, name string
		d, meta    core.Digest
	}{
		{"", "x@1", Digest("a"), ""},
		{"dataset", "", Digest("a"), ""},
		{"dataset", "x@1", "", ""},
		{"dataset", "x@1", "sha256:abc", ""},
		{"dataset", "x@1", Digest("a"), "bom"},
	} {
		if err := c.BindName(context.Background(), tc.kind, tc.name, tc.d, tc.meta); err == nil {
			t.Errorf("BindName(%q, %q, %q, %q) accepted it", tc.kind, tc.name, tc.d, tc.meta)
		}
	}
}

func testNames(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	for _, n := range []catalog.NameRow{
		{Kind: "model", Name: "price@2", Digest: Digest("m2"), Meta: ""},
		{Kind: "dataset", Name: "housing@2018", Digest: Digest("h18"), Meta: Digest("b18")},
		{Kind: "dataset", Name: "housing@2017", Digest: Digest("h17"), Meta: Digest("b17")},
	} {
		if err := c.BindName(ctx, n.Kind, n.Name, n.Digest, n.Meta); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{"dataset", []string{"dataset housing@2017", "dataset housing@2018"}},
		{"model", []string{"model price@2"}},
		{"", []string{"dataset housing@2017", "dataset housing@2018", "model price@2"}},
		{"code", []string{}},
	} {
		rows, err := c.Names(ctx, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range rows {
			got = append(got, r.Kind+" "+r.Name)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Names(%q) = %v, want %v", tc.kind, got, tc.want)
		}
	}
	if _, _, err := c.Name(ctx, "dataset", "housing@2019"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Name of an unbound version: err = %v, want catalog.ErrNotFound", err)
	}
}

package catalogtest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
)

func testResolveRun(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	for i, id := range []string{"abc123", "abc456", "abd789", "x_1", "xy1", "ab", "p1", "p2", "p3", "p4", "p5", "p6"} {
		if err := c.BeginRun(ctx, catalog.RunRow{ID: id, Started: At(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		ref     string
		want    string
		wantErr error
		msg     []string // substrings the error must show
	}{
		{ref: "abc123", want: "abc123"},
		{ref: "abd", want: "abd789"},
		{ref: "abc4", want: "abc456"},
		{ref: "ab", want: "ab"}, // a full id wins over being a prefix of others
		{ref: "last", want: "p6"},
		{ref: "x_", want: "x_1"},                                           // '_' is not a wildcard
		{ref: "ABC", wantErr: catalog.ErrNotFound, msg: []string{`"ABC"`}}, // case matters
		{ref: "abc", wantErr: catalog.ErrAmbiguous, msg: []string{"abc456, abc123", "more characters"}},
		{ref: "p", wantErr: catalog.ErrAmbiguous, msg: []string{"p6, p5, p4, p3, p2 and more"}},
		{ref: "zzz", wantErr: catalog.ErrNotFound, msg: []string{`"zzz"`}},
		{ref: "", msg: []string{"empty reference"}},
	} {
		got, err := c.ResolveRun(ctx, tc.ref)
		if tc.msg == nil {
			if err != nil || got != tc.want {
				t.Errorf("ResolveRun(%q) = %q, %v; want %q", tc.ref, got, err, tc.want)
			}
			continue
		}
		if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
			t.Errorf("ResolveRun(%q) = %q, %v; want error %v", tc.ref, got, err, tc.wantErr)
			continue
		}
		for _, m := range tc.msg {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("ResolveRun(%q) error %q does not show %q", tc.ref, err, m)
			}
		}
	}
}

func testResolveLastInEmptyCatalog(t *testing.T, c catalog.Catalog) {
	if _, err := c.ResolveRun(context.Background(), "last"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("err = %v, want catalog.ErrNotFound", err)
	}
}

// FuzzResolveRun fuzzes c.ResolveRun, which must be an empty catalog: an
// id it returns starts with the reference, and an error comes without one.
func FuzzResolveRun(f *testing.F, c catalog.Catalog) {
	ctx := context.Background()
	for i, id := range []string{"abc123", "abc456", "x_1", "x%2", "é1"} {
		if err := c.BeginRun(ctx, catalog.RunRow{ID: id, Started: At(i)}); err != nil {
			f.Fatal(err)
		}
	}
	for _, seed := range []string{"", "a", "abc", "abc123", "last", "x_", "x%", "%", "_", "é", "\x00", "abc123456"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		id, err := c.ResolveRun(ctx, ref)
		if err != nil {
			if id != "" {
				t.Errorf("ResolveRun(%q) returned id %q with error %v", ref, id, err)
			}
			return
		}
		if ref != "last" && !strings.HasPrefix(id, ref) {
			t.Errorf("ResolveRun(%q) = %q, which does not start with the reference", ref, id)
		}
	})
}

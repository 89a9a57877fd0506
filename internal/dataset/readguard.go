package dataset

import (
	"context"
	"fmt"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// CheckRead applies to every command that hands stored bytes to a person
// (cat, get, export) the rule `data get` applies: bytes that belong to a
// restricted dataset leave the store only for a caller holding the
// platform's data-access token (checked against HOME/platform.yaml). A tree
// artifact is checked file by file. A dataset whose bill of materials
// cannot be read counts as restricted: the check fails closed. The refusal
// names the dataset and how to get access.
func CheckRead(ctx context.Context, st *store.Store, cat catalog.Catalog, home, token string, artifacts ...core.Artifact) error {
	restricted, err := restrictedFiles(ctx, st, cat)
	if err != nil || len(restricted) == 0 {
		return err
	}
	var hit string
	for _, a := range artifacts {
		if ref, ok := restricted[a.Digest]; ok {
			hit = ref
			break
		}
		if a.Kind != core.KindTree {
			continue
		}
		t, err := st.GetTree(a.Digest)
		if err != nil {
			return fmt.Errorf("check %s for restricted data: %w", a.Digest, err)
		}
		for _, e := range t.Entries {
			if ref, ok := restricted[e.Digest]; ok && e.Digest != "" {
				hit = ref
				break
			}
		}
		if hit != "" {
			break
		}
	}
	if hit == "" {
		return nil
	}
	if err := CheckAccess(home, token); err != nil {
		return fmt.Errorf("these bytes belong to the restricted dataset %s: only reviewed code may read it in a run (`lockstep review approve`), or restore it with `lockstep data get` holding the data-access token: %w", hit, err)
	}
	return nil
}

// restrictedFiles maps the digest of every file and tree of every
// restricted dataset to the dataset's NAME@VERSION.
func restrictedFiles(ctx context.Context, st *store.Store, cat catalog.Catalog) (map[core.Digest]string, error) {
	all, _, err := List(ctx, st, cat)
	if err != nil {
		return nil, err
	}
	out := map[core.Digest]string{}
	for _, d := range all {
		if d.BOM != nil && d.BOM.Classification != Restricted {
			continue
		}
		ref := d.Ref.String()
		out[d.Tree] = ref
		t, err := st.GetTree(d.Tree)
		if err != nil {
			continue // its files are not in the store: nothing to hand out
		}
		for _, e := range t.Entries {
			if e.Digest != "" && e.Size > 0 { // empty bytes reveal nothing
				out[e.Digest] = ref
			}
		}
	}
	return out, nil
}

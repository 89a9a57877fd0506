package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LastRun is the run reference ResolveRun reads as "the newest started run".
const LastRun = "last"

// maxCandidates is how many matching ids an ambiguous-prefix error lists.
const maxCandidates = 5

// ResolveRun turns a user's run reference into a full run id. ref may be a
// full id, a prefix matching exactly one run, or "last" for the newest
// started run. A prefix matching several runs fails with ErrAmbiguous and
// lists up to five of them, newest first; no match fails with ErrNotFound.
func (c *Catalog) ResolveRun(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("resolve run: empty reference; give a run id, a unique prefix of one, or %q", LastRun)
	}
	var ids []string
	err := c.read(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = matchRuns(ctx, tx, ref)
		return err
	})
	switch {
	case err != nil:
		return "", fmt.Errorf("resolve run %q: %w", ref, err)
	case len(ids) == 0 && ref == LastRun:
		return "", fmt.Errorf("run %q: %w: the catalog has no runs yet", ref, ErrNotFound)
	case len(ids) == 0:
		return "", fmt.Errorf("run %q: %w; list them with `lockstep runs`", ref, ErrNotFound)
	case len(ids) == 1:
		return ids[0], nil
	}
	more := ""
	if len(ids) > maxCandidates {
		ids, more = ids[:maxCandidates], " and more"
	}
	return "", fmt.Errorf("run %q: %w: it matches %s%s; give more characters",
		ref, ErrAmbiguous, strings.Join(ids, ", "), more)
}

// matchRuns returns the id ref names exactly (one), else the newest
// maxCandidates+1 ids starting with ref.
func matchRuns(ctx context.Context, tx *sql.Tx, ref string) ([]string, error) {
	var id string
	if ref == LastRun {
		err := tx.QueryRowContext(ctx, "SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT 1").Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return []string{id}, err
	}
	err := tx.QueryRowContext(ctx, "SELECT id FROM runs WHERE id = $1", ref).Scan(&id)
	if err == nil {
		return []string{id}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// substr compares exactly (LIKE would treat '_' and '%' as wildcards and,
	// in SQLite, ignore case).
	rows, err := tx.QueryContext(ctx,
		"SELECT id FROM runs WHERE substr(id, 1, $2) = $1 ORDER BY started DESC, id DESC LIMIT $3",
		ref, utf8.RuneCountInString(ref), maxCandidates+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

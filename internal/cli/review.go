package cli

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/review"
)

type reviewOptions struct {
	key, comment, reviewer string
}

func newReviewCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{Use: "review", Short: "Approve code so that it may read restricted datasets"}
	var o reviewOptions
	approve := &cobra.Command{
		Use:   "approve CODE --key reviewer.key",
		Short: "Sign a review of a code tree: a run's code, a tree digest or a git commit",
		Long: `Sign a review attestation (in-toto, predicate https://lockstep.dev/review/v1)
for a code tree, store it and index it under the tree's digest. Runs whose
code has a review by a trusted reviewer may read restricted datasets.

CODE is a run (id, unique prefix or "last": its code snapshot), a tree digest
sha256:<hex>, or a git commit of the repository in the working folder (its
files, with lockstep's default code filter, as ` + "`lockstep run`" + ` would snapshot
a clean checkout of it).

Exit codes: 0 approved, 2 bad usage, unknown CODE or an unreadable key.`,
		Example: `  lockstep review approve last --key keys/reviewer.key --comment "no data leaves the job"
  lockstep review approve 4f1c2e9 --key keys/reviewer.key`,
		Args: exactArgs(1, "one CODE (a run, sha256:<tree> or a git commit)"),
		RunE: func(c *cobra.Command, args []string) error { return runReviewApprove(c.Context(), o, g, args[0]) },
	}
	approve.Flags().StringVar(&o.key, "key", "", "reviewer's private key (required)")
	approve.Flags().StringVar(&o.comment, "comment", "", "what the reviewer checked")
	approve.Flags().StringVar(&o.reviewer, "reviewer", "", "reviewer's name (default: the key's name and fingerprint)")
	c.AddCommand(approve)
	return c
}

func runReviewApprove(ctx context.Context, o reviewOptions, g *globalOptions, arg string) error {
	if o.key == "" {
		return usageErrorf("review approve needs --key reviewer.key")
	}
	signer, err := attest.LoadSigner(o.key, g.passphrase(false))
	if err != nil {
		return usageErrorf("--key %s: %v", o.key, err)
	}
	h, done, err := g.openHomeToWrite(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	code, what, err := resolveCode(ctx, h, arg)
	if err != nil {
		return err
	}
	bundle, err := review.Approve(ctx, h.Store, h.Catalog, code, signer, review.Review{Reviewer: o.reviewer, Comment: o.comment})
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]any{"code": code, "from": what, "bundle": bundle, "key": signer.PublicKey.Fingerprint()})
	}
	p.result("%s approved code %s (%s), signed by %s; review bundle %s", p.paint(green, "✓"), code, what, signer.PublicKey, bundle)
	return nil
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// resolveCode turns CODE into a code tree digest and says what it was.
func resolveCode(ctx context.Context, h *engine.Home, arg string) (core.Digest, string, error) {
	if strings.HasPrefix(arg, core.DigestPrefix) {
		d, err := core.ParseDigest(arg)
		if err != nil {
			return "", "", &usageError{err}
		}
		if _, err := h.Store.GetTree(d); err != nil {
			return "", "", usageErrorf("%s is not a code tree in this home: %v", d, err)
		}
		return d, "tree", nil
	}
	id, err := h.Catalog.ResolveRun(ctx, arg)
	if err == nil {
		row, err := h.Catalog.Run(ctx, id)
		if err != nil {
			return "", "", err
		}
		return row.Code, "code of run " + id, nil
	}
	if !errors.Is(err, catalog.ErrNotFound) || !commitRE.MatchString(arg) {
		return "", "", usageErrorf("CODE %q: %v (give a run, sha256:<tree digest> or a git commit)", arg, err)
	}
	d, err := review.CommitTree(ctx, h.Store, filepath.Join(h.Root, "tmp"), arg)
	if err != nil {
		return "", "", usageErrorf("CODE %q is neither a run nor a git commit here: %v", arg, err)
	}
	return d, "git commit " + arg, nil
}

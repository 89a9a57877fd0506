package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/store"
)

type dataVerifyOptions struct{ keys []string }

func newDataVerifyCommand(g *globalOptions) *cobra.Command {
	var o dataVerifyOptions
	c := &cobra.Command{
		Use:   "verify NAME@VERSION --key producer.pub",
		Short: "Check a dataset's BOM signature and rehash every file against it",
		Long: `Check that the dataset's bill of materials is signed by one of the given
producer keys and that every stored file still has the SHA-256 the BOM lists
(each file is reread). The first mismatching file is named.

Exit codes: 0 verified, 1 not verified, 2 bad usage or unknown dataset.`,
		Example: `  lockstep data verify iris@1 --key keys/producer.pub`,
		Args:    exactArgs(1, "one NAME@VERSION"),
		RunE:    func(c *cobra.Command, args []string) error { return runDataVerify(c.Context(), o, g, args[0]) },
	}
	c.Flags().StringArrayVar(&o.keys, "key", nil, "trusted producer public key (PEM); repeatable")
	return c
}

func runDataVerify(ctx context.Context, o dataVerifyOptions, g *globalOptions, refArg string) error {
	ref, err := dataset.ParseRef(refArg)
	if err != nil {
		return &usageError{err}
	}
	if len(o.keys) == 0 {
		return usageErrorf("data verify needs at least one --key producer.pub")
	}
	keys, err := loadPublicKeys(o.keys)
	if err != nil {
		return err
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	d, err := dataset.Lookup(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return dataError(err)
	}
	key, bundle, err := d.Signature(h.Store, keys)
	if err != nil {
		return &failedError{"not verified: " + err.Error()}
	}
	if err := d.CheckFiles(ctx, h.Store, true); err != nil {
		return &failedError{"not verified: " + err.Error()}
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]any{"name": ref.String(), "verified": true, "tree": d.Tree, "bom": d.BOMDigest,
			"bundle": bundle, "key": key.Fingerprint(), "files": len(d.BOM.Entries)})
	}
	p.result("%s %s: bill of materials signed by %s; %d files match it (tree %s)", p.paint(green, "✓"), ref, key, len(d.BOM.Entries), d.Tree)
	return nil
}

func newDataGetCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "get NAME@VERSION DEST",
		Short: "Restore a dataset's files to DEST (restricted data needs the data-access token)",
		Long: `Write the dataset's files to DEST as ordinary writable copies, after checking
them against the bill of materials. DEST must not exist.

A restricted dataset is only restored for a caller holding the platform's
data-access credential: LOCKSTEP_DATA_ACCESS_TOKEN must match the digest in
HOME/platform.yaml (set by ` + "`lockstep data access-token set`" + `). Runs of reviewed
code get restricted data without it.

Exit codes: 0 restored, 1 refused or the files do not match, 2 bad usage,
unknown dataset or DEST exists.`,
		Example: `  lockstep data get iris@1 ./iris`,
		Args:    exactArgs(2, "NAME@VERSION and DEST"),
		RunE:    func(c *cobra.Command, args []string) error { return runDataGet(c.Context(), g, args[0], args[1]) },
	}
}

func runDataGet(ctx context.Context, g *globalOptions, refArg, dest string) error {
	ref, err := dataset.ParseRef(refArg)
	if err != nil {
		return &usageError{err}
	}
	if _, err := os.Lstat(dest); err == nil {
		return usageErrorf("%s already exists: choose a new destination", dest)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	d, err := dataset.Lookup(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return dataError(err)
	}
	if d.BOM.Classification == dataset.Restricted {
		if err := dataset.CheckAccess(h.Root, g.getenv(dataset.AccessTokenVar)); err != nil {
			return fmt.Errorf("%s is restricted: %w", ref, err)
		}
	}
	// The files' objects are not read here: Materialize rehashes every
	// byte it writes, and leaves DEST absent when one is missing or
	// does not match.
	if _, err := d.CheckTree(h.Store); err != nil {
		return err
	}
	if err := h.Store.Materialize(ctx, d.Tree, dest, store.MaterializeOptions{Writable: true}); err != nil {
		return fmt.Errorf("restore %s to %s: %w", ref, dest, err)
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]any{"name": ref.String(), "tree": d.Tree, "dest": dest})
	}
	p.result("restored %s (%s, %d files) to %s", ref, d.Tree, len(d.BOM.Entries), dest)
	return nil
}

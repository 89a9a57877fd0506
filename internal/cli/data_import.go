package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
)

type dataImportOptions struct {
	bundle, from string
	keys         []string
	maxSize      int64
	pickle       pickleFlags
}

func newDataImportCommand(g *globalOptions) *cobra.Command {
	var o dataImportOptions
	c := &cobra.Command{
		Use:   "import BOM.json",
		Short: "Register a dataset someone else produced, from its signed BOM and its files",
		Long: `Register a dataset from its producer's CycloneDX bill of materials: check the
signature (BOM.json.sigstore.json beside it, or --bundle) against --key, copy
every file the BOM lists from --from DIR (or, for a single-file dataset, from
the BOM's distribution URL), check each against its SHA-256, scan it, and
bind NAME@VERSION last.

Exit codes: 0 registered (or already registered), 1 refused (signature, digest
or unsafe file), 2 bad usage, malformed BOM or NAME@VERSION bound to other data.`,
		Example: `  lockstep data import housing.cdx.json --key partner.pub --from ./housing/`,
		Args:    exactArgs(1, "one BOM.json"),
		RunE:    func(c *cobra.Command, args []string) error { return runDataImport(c.Context(), o, g, args[0]) },
	}
	f := c.Flags()
	f.StringVar(&o.bundle, "bundle", "", "signed statement over the BOM (default BOM.json.sigstore.json if present)")
	f.StringVar(&o.from, "from", "", "folder holding the dataset's files at their BOM paths")
	f.StringArrayVar(&o.keys, "key", nil, "trusted producer public key (PEM); repeatable")
	f.Int64Var(&o.maxSize, "max-size", dataset.DefaultMaxSize, "refuse downloads larger than this many bytes")
	o.pickle.register(f, "recorded in the BOM")
	return c
}

// maxBOMFile bounds the BOM file read for an import (a bill of materials
// lists every file: 32 MiB is some 100,000 files).
const maxBOMFile = 32 << 20

func runDataImport(ctx context.Context, o dataImportOptions, g *globalOptions, bomPath string) error {
	opts := dataset.ImportOptions{From: o.from, MaxSize: o.maxSize}
	var err error
	if opts.Pickle, err = o.pickle.parse(); err != nil {
		return err
	}
	if opts.BOM, err = core.ReadFileLimited(bomPath, maxBOMFile); err != nil {
		return &usageError{err}
	}
	bundle := o.bundle
	if bundle == "" {
		if _, err := os.Stat(bomPath + ".sigstore.json"); err == nil {
			bundle = bomPath + ".sigstore.json"
		}
	}
	if bundle != "" {
		if opts.Bundle, err = core.ReadFileLimited(bundle, attest.MaxBundleSize); err != nil {
			return &usageError{err}
		}
	}
	if opts.Keys, err = loadPublicKeys(o.keys); err != nil {
		return err
	}
	h, done, err := g.openHomeToWrite(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	a, err := dataset.Import(ctx, h.Store, h.Catalog, opts)
	if err != nil {
		return dataError(fmt.Errorf("import %s: %w", bomPath, err))
	}
	p := newPrinter(g)
	if bundle == "" {
		p.info("warning: %s comes without a signature; runs that trust producer keys will refuse it", a.Name)
	}
	if g.json {
		return p.json(a)
	}
	if a.Existing {
		p.result("%s is already registered with this content (%s)", a.Name, a.Tree)
		return nil
	}
	p.result("imported %s: %d files, %s, tree %s", p.paint(bold, a.Name), a.Files, humanBytes(a.Size), a.Tree)
	return nil
}

func newDataAccessTokenCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{Use: "access-token", Short: "Manage the platform's data-access credential for restricted datasets"}
	c.AddCommand(&cobra.Command{
		Use:   "set",
		Short: "Read a data-access token from stdin and record its digest in HOME/platform.yaml",
		Long: `Read the platform's data-access token from stdin and record its sha256 in
HOME/platform.yaml (data_access_token_sha256). The token itself is never
written. Callers of ` + "`lockstep data get`" + ` on restricted datasets then need
LOCKSTEP_DATA_ACCESS_TOKEN set to it.

Exit codes: 0 recorded, 2 bad usage, a too-short token or no lockstep home.`,
		Example: `  openssl rand -hex 32 | tee token.txt | lockstep data access-token set`,
		Args:    exactArgs(0, "no arguments (the token comes on stdin)"),
		RunE: func(c *cobra.Command, args []string) error {
			h, err := g.openHome(c.Context())
			if err != nil {
				return err
			}
			h.Close()
			token, err := io.ReadAll(io.LimitReader(g.stdin, 4096))
			if err != nil {
				return err
			}
			if err := dataset.SetAccessToken(h.Root, token); err != nil {
				if errors.Is(err, fs.ErrPermission) {
					return err
				}
				return &usageError{err}
			}
			newPrinter(g).info("recorded the data-access token's digest in %s", dataset.PlatformFile)
			return nil
		},
	})
	return c
}

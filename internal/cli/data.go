package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
)

func newDataCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "data",
		Short: "Register, inspect, verify and restore datasets (name@version, signed CycloneDX BOM)",
		Long: `A dataset is NAME@VERSION bound forever to the digest of its files in the store,
with a CycloneDX 1.6 bill of materials saying what it is and where it came from,
signed by its producer. Flows name datasets as inputs; runs check them first.`,
	}
	c.AddCommand(newDataAddCommand(g), newDataListCommand(g), newDataShowCommand(g), newDataVerifyCommand(g),
		newDataGetCommand(g), newDataImportCommand(g), newDataAccessTokenCommand(g))
	return c
}

type dataAddOptions struct {
	origin, description, license, producer, signWith, classification, expect, card string
	maxSize                                                                        int64
	pickle                                                                         pickleFlags
}

func newDataAddCommand(g *globalOptions) *cobra.Command {
	var o dataAddOptions
	c := &cobra.Command{
		Use:   "add NAME@VERSION PATH|URL",
		Short: "Copy a file, folder or download into the store and register it with a signed BOM",
		Long: `Copy PATH (a file or folder) or URL (https://, http://, file://, s3://BUCKET/KEY)
into the store, scan every file (pickles are refused unless --pickle allow-safe or allow),
write its CycloneDX 1.6 bill of materials, sign it with --sign-with, and bind
NAME@VERSION to the data's digest, forever. Adding the same content again does
nothing; other content under the same NAME@VERSION is refused.

Downloads stream into the store: --expect refuses any other digest (without it
the digest seen is pinned and printed), truncated downloads and responses over
--max-size are refused, redirects to other hosts are recorded. Archives are not
unpacked.

Exit codes: 0 registered (or already registered), 1 refused (digest mismatch,
unsafe file, failed download), 2 bad usage or NAME@VERSION bound to other data.`,
		Example: `  lockstep data add iris@1 data/iris.csv --license CC-BY-4.0 --producer uci --sign-with keys/producer.key
  lockstep data add housing@2017 https://example.org/housing.csv --expect sha256:4c2f… --card datasheet.yaml
  lockstep data add patients@3 /mnt/export/ --classification restricted --sign-with keys/hr.key`,
		Args: exactArgs(2, "NAME@VERSION and a PATH or URL"),
		RunE: func(c *cobra.Command, args []string) error { return runDataAdd(c.Context(), o, g, args[0], args[1]) },
	}
	f := c.Flags()
	f.StringVar(&o.origin, "source", "", "URL the data originally came from (recorded; for a local copy)")
	f.StringVar(&o.description, "description", "", "what the data is")
	f.StringVar(&o.license, "license", "", "SPDX license id or expression, e.g. CC-BY-4.0")
	f.StringVar(&o.producer, "producer", "", "who produced the data (person or organisation)")
	f.StringVar(&o.signWith, "sign-with", "", "producer's private key to sign the BOM with")
	f.StringVar(&o.classification, "classification", dataset.Internal, "public, internal or restricted")
	f.StringVar(&o.expect, "expect", "", "refuse the data unless its digest is this sha256:<hex>")
	f.StringVar(&o.card, "card", "", "datasheet YAML (motivation, composition, collection_process, ...)")
	f.Int64Var(&o.maxSize, "max-size", dataset.DefaultMaxSize, "refuse downloads larger than this many bytes")
	o.pickle.register(f, "recorded in the BOM")
	return c
}

func runDataAdd(ctx context.Context, o dataAddOptions, g *globalOptions, refArg, src string) error {
	opts := dataset.AddOptions{Source: src, Origin: o.origin, Description: o.description, License: o.license,
		Producer: o.producer, Classification: o.classification, MaxSize: o.maxSize}
	var err error
	if opts.Pickle, err = o.pickle.parse(); err != nil {
		return err
	}
	if opts.Ref, err = dataset.ParseRef(refArg); err != nil {
		return &usageError{err}
	}
	if o.expect != "" {
		if opts.Expect, err = core.ParseDigest(o.expect); err != nil {
			return usageErrorf("--expect: %v", err)
		}
	}
	if o.card != "" {
		if opts.Card, err = dataset.LoadCard(o.card); err != nil {
			return &usageError{err}
		}
	}
	if o.signWith != "" {
		if opts.Signer, err = attest.LoadSigner(o.signWith, g.passphrase(false)); err != nil {
			return usageErrorf("--sign-with %s: %v", o.signWith, err)
		}
	}
	if !dataset.IsURL(src) {
		if _, err := os.Stat(src); err != nil {
			return &usageError{err}
		}
	}
	h, closeHome, err := g.openHomeToWrite(ctx, true)
	if err != nil {
		return err
	}
	defer closeHome()
	p := newPrinter(g)
	done := func() {}
	if p.tty && !g.quiet {
		done = showHashing(p, &opts)
	}
	a, err := dataset.Add(ctx, h.Store, h.Catalog, opts)
	done()
	if err != nil {
		return dataError(err)
	}
	for _, w := range a.Source.Warnings {
		p.info("warning: %s", w)
	}
	if opts.Signer == nil && !a.Existing {
		p.info("warning: the bill of materials is not signed; runs that trust producer keys will refuse it (use --sign-with)")
	}
	if g.json {
		return p.json(a)
	}
	if a.Existing {
		if a.Bundle != "" {
			p.result("%s is already registered with this content (%s); its bill of materials is signed by %s (bundle %s)", a.Name, a.Tree, opts.Signer.PublicKey, a.Bundle)
			return nil
		}
		p.result("%s is already registered with this content (%s); nothing changed", a.Name, a.Tree)
		return nil
	}
	p.result("registered %s: %d files, %s", p.paint(bold, a.Name), a.Files, humanBytes(a.Size))
	p.result("  tree    %s", a.Tree)
	p.result("  bom     %s", a.BOM)
	if a.Bundle != "" {
		p.result("  signed  %s by %s", a.Bundle, opts.Signer.PublicKey)
	}
	if dataset.IsURL(src) {
		p.result("  pinned  %s  %s", a.Source.Digest, src)
	}
	for _, path := range sortedKeys(a.Flagged) {
		f := a.Flagged[path]
		p.info("warning: %s: %s %s: %s (recorded in the bill of materials)", path, f.Format, f.Verdict, f.Note)
	}
	return nil
}

// dataError marks errors in what the user asked for (exit 2); refusals of
// the data itself stay failures (exit 1).
func dataError(err error) error {
	for _, e := range []error{dataset.ErrBadRef, dataset.ErrBadCard, dataset.ErrBadBOM, dataset.ErrConflict, dataset.ErrNotFound} {
		if errors.Is(err, e) {
			return &usageError{err}
		}
	}
	return err
}

// showHashing reports bytes hashed on the terminal, at most ten times a
// second; the returned function clears the line.
func showHashing(p *printer, opts *dataset.AddOptions) func() {
	var mu sync.Mutex
	var total int64
	var last time.Time
	opts.Progress = func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		total += n
		if time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		p.mu.Lock()
		fmt.Fprintf(p.g.stderr, "\r\x1b[Khashing %s: %s", opts.Ref, humanBytes(total))
		p.mu.Unlock()
	}
	return func() {
		p.mu.Lock()
		fmt.Fprint(p.g.stderr, "\r\x1b[K")
		p.mu.Unlock()
	}
}

package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/store"
)

func newStoreCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "store",
		Short: "Inspect, verify and copy the object store (a local folder or an S3 bucket)",
		Long: `The store holds every object by its sha256 digest: a local folder (file://, the
default) or a bucket of an S3-compatible service (s3://BUCKET/PREFIX?endpoint=URL&region=R),
set by store: in .lockstep/config.yaml or LOCKSTEP_STORE.`,
	}
	c.AddCommand(newStoreStatCommand(g), newStoreVerifyCommand(g), newStoreCopyCommand(g))
	return c
}

// storeStat is `lockstep store stat --json`.
type storeStat struct {
	URL     string `json:"url"`
	Scheme  string `json:"scheme"`
	Objects int64  `json:"objects"`
	Bytes   int64  `json:"bytes"`
}

func newStoreStatCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "stat",
		Short: "Show where the store is, how many objects it holds and their total size",
		Long: `Show the store's URL (never a credential: those come from the AWS chain), its
scheme, and the number and total size of its objects, counted in the store
itself (not in a local cache).

Exit codes: 0 ok, 1 the store cannot be read, 2 bad usage.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error { return runStoreStat(c.Context(), g) },
	}
}

func runStoreStat(ctx context.Context, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	out := storeStat{URL: home.Redact(h.URLs.Store)}
	out.Scheme, _, _ = strings.Cut(out.URL, "://")
	if out.Objects, out.Bytes, err = h.Store.Usage(ctx); err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(out)
	}
	p.result("store:   %s", out.URL)
	p.result("scheme:  %s", out.Scheme)
	p.result("objects: %d (%s)", out.Objects, humanBytes(out.Bytes))
	return nil
}

type storeVerifyOptions struct{ sample int }

func newStoreVerifyCommand(g *globalOptions) *cobra.Command {
	var o storeVerifyOptions
	c := &cobra.Command{
		Use:   "verify",
		Short: "Reread objects from the store and rehash them; name every bad one",
		Long: `Reread every object (or a random sample of --sample N) from the store itself,
never from a local cache, and check its bytes against its digest. Each object
that is missing or corrupt is named.

Exit codes: 0 every object verified, 1 bad objects found, 2 bad usage.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error { return runStoreVerify(c.Context(), o, g) },
	}
	c.Flags().IntVar(&o.sample, "sample", 0, "verify a random sample of N objects instead of all")
	return c
}

// storeVerifyOutput is `lockstep store verify --json`.
type storeVerifyOutput struct {
	store.VerifyReport
	BadObjects []badObject `json:"bad_objects"`
}

type badObject struct {
	Digest core.Digest `json:"digest"`
	Error  string      `json:"error"`
}

func runStoreVerify(ctx context.Context, o storeVerifyOptions, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	p := newPrinter(g)
	out := storeVerifyOutput{BadObjects: []badObject{}}
	out.VerifyReport, err = h.Store.VerifyObjects(ctx, o.sample, func(d core.Digest, err error) {
		out.BadObjects = append(out.BadObjects, badObject{d, err.Error()})
		p.result("%s %s: %v", p.paint(red, "✗"), d, err)
	})
	if err != nil {
		return err
	}
	if g.json {
		if err := p.json(out); err != nil {
			return err
		}
	} else {
		p.result("verified %d objects (%s) in %s; %d bad", out.Objects, humanBytes(out.Bytes), home.Redact(h.URLs.Store), out.Bad)
	}
	if out.Bad > 0 {
		return &failedError{fmt.Sprintf("store verify found %d bad objects (run `lockstep check` to see what refers to them)", out.Bad)}
	}
	return nil
}

type storeCopyOptions struct{ to string }

func newStoreCopyCommand(g *globalOptions) *cobra.Command {
	var o storeCopyOptions
	c := &cobra.Command{
		Use:   "copy --to URL",
		Short: "Copy every object of this home's store to another store, verifying each",
		Long: `Copy every object of the current store into the store at --to (file:///path or
s3://BUCKET/PREFIX?endpoint=URL&region=R): each is read through a verifying
reader and checked again where it lands. Objects already there are skipped, so
a copy that was interrupted resumes where it stopped. Then point the home at the
new store (store: in .lockstep/config.yaml) to use it.

Exit codes: 0 copied, 1 an object could not be read or written, 2 bad usage.`,
		Example: `  lockstep store copy --to 's3://ml-artifacts/lockstep?endpoint=https://s3.internal:9000&region=eu-1'`,
		Args:    exactArgs(0, "no arguments (the destination goes in --to)"),
		PreRunE: func(*cobra.Command, []string) error {
			if o.to == "" {
				return usageErrorf("store copy needs --to URL (file:///path or s3://BUCKET/PREFIX?endpoint=URL)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error { return runStoreCopy(c.Context(), o, g) },
	}
	c.Flags().StringVar(&o.to, "to", "", "URL of the store to copy into")
	return c
}

func runStoreCopy(ctx context.Context, o storeCopyOptions, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	dst, err := store.OpenURL(ctx, o.to)
	if err != nil {
		return err
	}
	defer dst.Close()
	p := newPrinter(g)
	to := home.Redact(o.to)
	rep, err := h.Store.CopyTo(ctx, dst, func(r store.CopyReport) {
		p.status("copying to %s: %d of %d objects (%d copied, %d there already)", to, r.Copied+r.Present, r.Objects, r.Copied, r.Present)
	})
	if err != nil {
		p.info("copied %d objects before the error; run the same command again to resume", rep.Copied)
		return err
	}
	if g.json {
		return p.json(rep)
	}
	p.info("copied %d objects to %s, %d were there already (%d objects, %s, all verified)", rep.Copied, to, rep.Present, rep.Objects, humanBytes(rep.Bytes))
	return nil
}

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/store"
)

func newGetCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "get RUN TARGET DEST",
		Short: "Restore a run's output (STEP.OUTPUT) or its code snapshot (code) to DEST",
		Long: `Restore what a run used or made: TARGET is STEP.OUTPUT for an output, or
"code" for the exact code snapshot the run saw (uncommitted changes included).
DEST must not exist yet; files are written as ordinary, writable copies. A
signed model directory comes with its signature, DEST/model.sig, so that
` + "`lockstep verify DEST`" + ` checks it file by file.

Exit codes: 0 success, 1 the store lacks an object, 2 bad usage or DEST exists.`,
		Example: `  lockstep get last train.model ./model
  lockstep get 3f9a2c code /tmp/code-of-3f9a2c`,
		Args: exactArgs(3, "RUN, TARGET (STEP.OUTPUT or code) and DEST"),
		RunE: func(c *cobra.Command, args []string) error {
			return runGet(c.Context(), g, args[0], args[1], args[2])
		},
	}
}

func runGet(ctx context.Context, g *globalOptions, ref, target, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return usageErrorf("%s already exists: choose a new destination", dest)
	}
	h, run, a, err := g.openArtifact(ctx, ref, target)
	if err != nil {
		return err
	}
	defer h.Close()
	rec := run.Record
	opts := store.MaterializeOptions{Writable: true}
	var sig core.Digest
	if a.Kind == core.KindTree {
		err = h.Store.Materialize(ctx, a.Digest, dest, opts)
		if err == nil && target != "code" {
			sig, err = restoreModelSignature(ctx, h, rec.ID, a.Digest, dest)
		}
	} else {
		err = h.Store.MaterializeFile(ctx, a.Digest, dest, opts)
	}
	if err != nil {
		return fmt.Errorf("restore %s to %s: %w", target, dest, err)
	}
	p := newPrinter(g)
	if g.json {
		out := map[string]any{"run": rec.ID, "target": target, "digest": a.Digest, "dest": dest}
		if sig != "" {
			out["model_signature"] = sig
		}
		return p.json(out)
	}
	with := ""
	if sig != "" {
		with = ", with its signature " + attest.ModelSignatureFile
	}
	p.result("restored %s of run %s (%s) to %s%s", target, rec.ID, a.Digest, dest, with)
	return nil
}

// restoreModelSignature writes the OpenSSF model signature of the model
// tree (the run's own, else any indexed for the same content) to
// dir/model.sig, and returns its bundle; "" when the tree was never signed
// as a model.
func restoreModelSignature(ctx context.Context, h *engine.Home, run string, tree core.Digest, dir string) (core.Digest, error) {
	rows, err := attest.StoredRows(ctx, h.Catalog, tree, attest.ModelPredicateType)
	if err != nil {
		return "", err
	}
	var bundle core.Digest
	for _, r := range rows {
		if bundle == "" || r.Run == run {
			bundle = r.Bundle
		}
	}
	if bundle == "" {
		return "", nil
	}
	path := filepath.Join(dir, attest.ModelSignatureFile)
	if _, err := os.Lstat(path); err == nil {
		return "", nil // the model holds a file of that name; leave it
	}
	return bundle, h.Store.MaterializeFile(ctx, bundle, path, store.MaterializeOptions{Writable: true})
}

// openArtifact opens the home and finds target (STEP.OUTPUT or code) of
// the run ref, which the caller may read; close the home when done.
func (g *globalOptions) openArtifact(ctx context.Context, ref, target string) (*engine.Home, *query.Run, core.Artifact, error) {
	h, err := g.openHome(ctx)
	if err != nil {
		return nil, nil, core.Artifact{}, err
	}
	run, err := query.LoadRun(ctx, h.Store, h.Catalog, ref)
	if err == nil {
		var a core.Artifact
		if a, err = run.Artifact(target); err == nil {
			if err = g.checkRead(ctx, h, a); err == nil {
				return h, run, a, nil
			}
		}
	}
	h.Close()
	return nil, nil, core.Artifact{}, err
}

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/store"
)

func newExportCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "export RUN DEST",
		Short: "Lay out a run's bundles and the artifacts they cover for offline verification",
		Long: `Write a run's evidence to DEST, a new folder, for verification anywhere:
  provenance.sigstore.json      the run's signed SLSA provenance (Sigstore bundle v0.3)
  artifacts/STEP/OUTPUT         every output (files, and model folders with their model.sig)
  records/run.json, records/tasks/STEP.json   the run and task records
  trusted_root.json             an empty Sigstore trusted root, for cosign offline
  VERIFY.md                     the cosign and lockstep commands that verify them

Exit codes: 0 success, 1 the store lacks an object, 2 bad usage or DEST exists.`,
		Args: exactArgs(2, "RUN and DEST"),
		RunE: func(c *cobra.Command, args []string) error { return runExport(c.Context(), g, args[0], args[1]) },
	}
}

func runExport(ctx context.Context, g *globalOptions, ref, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return usageErrorf("%s already exists: choose a new destination", dest)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	run, err := query.LoadRun(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return err
	}
	rec, tasks := run.Record, run.Tasks
	tmp := dest + ".partial"
	_ = os.RemoveAll(tmp)
	if err := exportRun(ctx, h, rec, tasks, tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]string{"run": rec.ID, "dest": dest})
	}
	p.result("exported run %s to %s (see %s)", rec.ID, dest, filepath.Join(dest, "VERIFY.md"))
	return nil
}

func exportRun(ctx context.Context, h *engine.Home, rec *core.RunRecord, tasks map[string]*core.TaskRecord, dir string) error {
	rows, err := h.Catalog.RunAttestations(ctx, rec.ID)
	if err != nil {
		return err
	}
	models := map[core.Digest]core.Digest{} // model tree → model-signing bundle
	var provenance []core.Digest
	for _, r := range rows {
		switch r.PredicateType {
		case attest.ProvenancePredicateType:
			if len(provenance) == 0 || provenance[len(provenance)-1] != r.Bundle {
				provenance = append(provenance, r.Bundle)
			}
		case attest.ModelPredicateType:
			models[r.Subject] = r.Bundle
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "records", "tasks"), 0o755); err != nil {
		return err
	}
	for i, b := range uniqueDigests(provenance) {
		name := "provenance.sigstore.json"
		if i > 0 {
			name = fmt.Sprintf("provenance-%d.sigstore.json", i+1)
		}
		if err := h.Store.MaterializeFile(ctx, b, filepath.Join(dir, name), store.MaterializeOptions{Writable: true}); err != nil {
			return err
		}
	}
	if err := h.Store.MaterializeFile(ctx, recordDigest(h, ctx, rec.ID), filepath.Join(dir, "records", "run.json"), store.MaterializeOptions{Writable: true}); err != nil {
		return err
	}
	var verifyLines []string
	for _, step := range (&query.Run{Tasks: tasks}).Steps() {
		t := tasks[step]
		if d := rec.Tasks[step]; d != "" {
			if err := h.Store.MaterializeFile(ctx, d, filepath.Join(dir, "records", "tasks", step+".json"), store.MaterializeOptions{Writable: true}); err != nil {
				return err
			}
		}
		for _, name := range sortedKeys(t.Outputs) {
			a := t.Outputs[name]
			p := filepath.Join(dir, "artifacts", step, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			opts := store.MaterializeOptions{Writable: true}
			if a.Kind == core.KindTree {
				if err := h.Store.Materialize(ctx, a.Digest, p, opts); err != nil {
					return err
				}
				if b, ok := models[a.Digest]; ok {
					if err := h.Store.MaterializeFile(ctx, b, filepath.Join(p, "model.sig"), opts); err != nil {
						return err
					}
				}
				verifyLines = append(verifyLines, fmt.Sprintf("lockstep verify artifacts/%s/%s --key builder.pub --bundle provenance.sigstore.json", step, name))
				continue
			}
			if err := h.Store.MaterializeFile(ctx, a.Digest, p, opts); err != nil {
				return err
			}
			verifyLines = append(verifyLines, fmt.Sprintf("cosign verify-blob-attestation --key builder.pub --bundle provenance.sigstore.json --type https://slsa.dev/provenance/v1 --insecure-ignore-tlog=true --trusted-root trusted_root.json artifacts/%s/%s", step, name))
		}
	}
	// Key-based bundles need no CA or transparency log: an empty trusted
	// root lets cosign verify them offline.
	if err := os.WriteFile(filepath.Join(dir, "trusted_root.json"), []byte(emptyTrustedRoot), 0o644); err != nil {
		return err
	}
	readme := fmt.Sprintf(`# Evidence of run %s (flow %s)

Verify with the builder's public key (builder.pub). Files, with cosign
(trusted_root.json is an empty Sigstore trusted root: the bundles are signed
by a key, not by a certificate, so nothing else needs trusting; online, cosign
can fetch the public-good root itself and the flag may be left out):

    %s

Any artifact (model folders check their model.sig file by file), with lockstep:

    lockstep verify artifacts/STEP/OUTPUT --key builder.pub --bundle provenance.sigstore.json
`, rec.ID, rec.Flow, strings.Join(verifyLines, "\n    "))
	return os.WriteFile(filepath.Join(dir, "VERIFY.md"), []byte(readme), 0o644)
}

const emptyTrustedRoot = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}` + "\n"

func recordDigest(h *engine.Home, ctx context.Context, id string) core.Digest {
	row, err := h.Catalog.Run(ctx, id)
	if err != nil {
		return ""
	}
	return row.Record
}

func uniqueDigests(ds []core.Digest) []core.Digest {
	seen := map[core.Digest]bool{}
	var out []core.Digest
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

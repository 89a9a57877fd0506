package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
)

func newAttestationsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "attestations RUN|DIGEST",
		Short: "List the attestations of a run or about an artifact",
		Long: `List the signed attestations (provenance, model signatures, environment SBOMs, dataset BOMs,
reviews, reproductions) that a run produced, or whose subject is DIGEST. For
a RUN, also the reviews of its code and the reproductions of its outputs,
which other commands signed.

Exit codes: 0 success, 2 unknown run or bad digest.`,
		Args: exactArgs(1, "one RUN or DIGEST"),
		RunE: func(c *cobra.Command, args []string) error { return runAttestations(c.Context(), g, args[0]) },
	}
}

func runAttestations(ctx context.Context, g *globalOptions, arg string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	var rows []catalog.AttestationRow
	if strings.HasPrefix(arg, core.DigestPrefix) {
		d, err := core.ParseDigest(arg)
		if err != nil {
			return &usageError{err}
		}
		rows, err = h.Catalog.Attestations(ctx, d)
		if err != nil {
			return err
		}
	} else if rows, err = attestationsOfRun(ctx, h, arg); err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		if rows == nil {
			rows = []catalog.AttestationRow{}
		}
		return p.json(rows)
	}
	if len(rows) == 0 {
		p.info("No attestations for %s. Runs are signed with `lockstep run --sign-with KEY`.", arg)
		return nil
	}
	for _, r := range rows {
		signer := r.Signer
		if signer == "" {
			signer = "unsigned"
		}
		p.result("%-40s %-20s %s  signed by %s  bundle %s  run %s", r.PredicateType, r.SubjectName, r.Subject, signer, r.Bundle.Short(), r.Run)
	}
	return nil
}

// attestationsOfRun lists what the run ref signed, then the reviews of its
// code tree and the reproductions of its outputs, each bundle and subject
// once.
func attestationsOfRun(ctx context.Context, h *engine.Home, ref string) ([]catalog.AttestationRow, error) {
	run, err := query.LoadRun(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return nil, err
	}
	rec, tasks := run.Record, run.Tasks
	rows, err := h.Catalog.RunAttestations(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	type key struct{ bundle, subject core.Digest }
	seen := map[key]bool{}
	for _, r := range rows {
		seen[key{r.Bundle, r.Subject}] = true
	}
	about := func(d core.Digest, predicateType string) error {
		found, err := h.Catalog.Attestations(ctx, d)
		if err != nil {
			return err
		}
		for _, r := range found {
			if r.PredicateType == predicateType && !seen[key{r.Bundle, r.Subject}] {
				seen[key{r.Bundle, r.Subject}] = true
				rows = append(rows, r)
			}
		}
		return nil
	}
	if rec.Code != "" {
		if err := about(rec.Code, attest.ReviewPredicateType); err != nil {
			return nil, err
		}
	}
	for _, step := range run.Steps() {
		for _, name := range sortedKeys(tasks[step].Outputs) {
			if err := about(tasks[step].Outputs[name].Digest, attest.ReproductionPredicateType); err != nil {
				return nil, err
			}
		}
	}
	return rows, nil
}

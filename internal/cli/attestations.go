package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

func newAttestationsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "attestations RUN|DIGEST",
		Short: "List the attestations of a run or about an artifact",
		Long: `List the signed attestations (provenance, model signatures, dataset BOMs,
reviews, reproductions) that a run produced, or whose subject is DIGEST.

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
	} else {
		id, err := h.Catalog.ResolveRun(ctx, arg)
		if err != nil {
			return &usageError{err}
		}
		if rows, err = h.Catalog.RunAttestations(ctx, id); err != nil {
			return err
		}
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

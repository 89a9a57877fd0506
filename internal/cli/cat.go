package cli

import (
	"context"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
)

func newCatCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "cat DIGEST",
		Short: "Write a stored object's bytes to stdout (verified against its digest)",
		Long: `Write the bytes of the object named DIGEST (sha256:<hex>) to stdout. The bytes
are rehashed as they stream; a corrupt object fails with exit code 1. Bytes of
a restricted dataset need the data-access token, as for ` + "`lockstep data get`" + `.

Exit codes: 0 success, 1 corrupt object or restricted data refused, 2 bad or
unknown digest.`,
		Args: exactArgs(1, "one DIGEST (sha256:<hex>)"),
		RunE: func(c *cobra.Command, args []string) error { return runCat(c.Context(), g, args[0]) },
	}
}

func runCat(ctx context.Context, g *globalOptions, arg string) error {
	d, err := core.ParseDigest(arg)
	if err != nil {
		return &usageError{err}
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	if !h.Store.Has(d) {
		return usageErrorf("no object %s in %s", d, h.Root)
	}
	if err := g.checkRead(ctx, h, core.Artifact{Digest: d, Kind: core.KindFile}); err != nil {
		return err
	}
	return copyObject(h, d, g.stdout)
}

package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/sbom"
)

type sbomOptions struct{ format string }

func newSBOMCommand(g *globalOptions) *cobra.Command {
	var o sbomOptions
	c := &cobra.Command{
		Use:   "sbom RUN [STEP]",
		Short: "Write the software bill of materials of the environment a run's steps ran in",
		Long: `Write the environment each step of RUN (or STEP alone) ran in as a software
bill of materials: CycloneDX 1.6 JSON (the default) or SPDX 2.3 JSON. It lists
every Python distribution (pkg:pypi), every OS package (pkg:deb, pkg:rpm,
pkg:apk), the interpreter, the operating system, the CPU and GPUs, with the
dependencies between them, and what the verification of installed files found
when the environment was captured (modified and missing files on their
package, unowned files in site-packages).

The CycloneDX document is a function of the environment record alone: the same
environment always gives the same bytes. Steps that share an environment get
one document; when the steps ran in several environments, one document is
written per line, in the order the steps started (pass STEP for one).

Exit codes: 0 success, 2 unknown run or step, or an unknown --format.`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		PreRunE: func(*cobra.Command, []string) error {
			if o.format != "cyclonedx" && o.format != "spdx" {
				return usageErrorf("--format %q: use cyclonedx or spdx", o.format)
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			step := ""
			if len(args) == 2 {
				step = args[1]
			}
			return runSBOM(c.Context(), o, g, args[0], step)
		},
	}
	c.Flags().StringVar(&o.format, "format", "cyclonedx", "cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)")
	return c
}

func runSBOM(ctx context.Context, o sbomOptions, g *globalOptions, ref, step string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	envs, err := query.Environments(ctx, h.Store, h.Catalog, ref, step)
	if err != nil {
		return err
	}
	if len(envs) == 0 {
		return fmt.Errorf("run %s recorded no environment (no step ran)", ref)
	}
	now := time.Now()
	for _, e := range envs {
		var b []byte
		if o.format == "spdx" {
			b, err = sbom.SPDX(e.Env, e.Digest, now)
		} else {
			b, err = sbom.CycloneDX(e.Env, e.Digest)
		}
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(g.stdout, "%s\n", b); err != nil {
			return err
		}
	}
	return nil
}

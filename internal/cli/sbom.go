package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/sbom"
)

type sbomOptions struct {
	format   string
	signWith string
}

func newSBOMCommand(g *globalOptions) *cobra.Command {
	var o sbomOptions
	c := &cobra.Command{
		Use:   "sbom RUN [STEP]",
		Short: "Write the software bill of materials of the environment a run's steps ran in",
		Long: `Write the environment each step of RUN (or STEP alone) ran in as a software
bill of materials: CycloneDX 1.6 JSON (the default), SPDX 2.3 JSON (--format
spdx) or SPDX 3.0.1 JSON-LD (--format spdx3, core and software profiles). It
lists every Python distribution (pkg:pypi), every OS package (pkg:deb,
pkg:rpm, pkg:apk), the interpreter, the operating system, the CPU and GPUs,
with the dependencies between them, and what the verification of installed
files found when the environment was captured (modified and missing files on
their package, unowned files in site-packages).

The CycloneDX document is a function of the environment record alone: the same
environment always gives the same bytes. SPDX documents also carry the time
they were written, which SPDX requires. Steps that share an environment get
one document; when the steps ran in several environments, one document is
written per line, in the order the steps started (pass STEP for one). The
sha256 of each document (the bytes of its line, without the newline) is
printed on stderr: for CycloneDX it is the digest a signed run's provenance
lists among its byproducts and its ML-BOM (lockstep bom) references.

Signed runs sign the CycloneDX SBOM of each of their environments with the
run's key. --sign-with KEY signs the SBOMs written (of a run signed before,
in another format, or with another key): an in-toto statement about the
environment record whose predicate is the document, of predicate type
https://cyclonedx.org/bom (CycloneDX), https://spdx.dev/Document (SPDX 2.3)
or https://spdx.dev/Document/v3 (SPDX 3), in a Sigstore bundle stored and
indexed under the environment's digest (lockstep attestations sha256:ENV lists
it; lockstep cat writes the bundle and the environment record that cosign
verify-blob-attestation checks with --type cyclonedx, --type spdx or --type
https://spdx.dev/Document/v3).

Exit codes: 0 success, 2 unknown run or step, an unknown --format, or an
unreadable key.`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		PreRunE: func(*cobra.Command, []string) error {
			if _, err := sbom.ParseFormat(o.format); err != nil {
				return usageErrorf("--format: %v", err)
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
	c.Flags().StringVar(&o.format, "format", string(sbom.FormatCycloneDX),
		"cyclonedx (CycloneDX 1.6 JSON), spdx (SPDX 2.3 JSON) or spdx3 (SPDX 3.0.1 JSON-LD)")
	c.Flags().StringVar(&o.signWith, "sign-with", "", "sign each SBOM with this private key and store the bundle")
	return c
}

func runSBOM(ctx context.Context, o sbomOptions, g *globalOptions, ref, step string) error {
	signer, err := signWithFlag(g, o.signWith)
	if err != nil {
		return err
	}
	var h *engine.Home
	done := func() {}
	if signer != nil { // writing bundles: hold the home against gc
		h, done, err = g.openHomeToWrite(ctx, false)
	} else if h, err = g.openHome(ctx); err == nil {
		done = func() { h.Close() }
	}
	if err != nil {
		return err
	}
	defer done()
	envs, err := query.Environments(ctx, h.Store, h.Catalog, ref, step)
	if err != nil {
		return err
	}
	if len(envs) == 0 {
		return fmt.Errorf("run %s recorded no environment (no step ran)", ref)
	}
	p := newPrinter(g)
	now := time.Now()
	for _, e := range envs {
		doc, err := sbom.Render(e.Env, e.Digest, sbom.Format(o.format), now)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(g.stdout, "%s\n", doc.Bytes); err != nil {
			return err
		}
		p.info("sbom %s  environment %s  steps %s", doc.Digest, e.Digest, strings.Join(e.Steps, ", "))
		if signer != nil {
			bundle, err := provenance.SignSBOM(ctx, h.Store, h.Catalog, doc, signer, "")
			if err != nil {
				return err
			}
			p.info("signed: bundle %s, predicate type %s (lockstep cat %s > sbom.sigstore.json)", bundle, doc.PredicateType, bundle)
		}
	}
	return nil
}

package cli

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/verify"
)

type verifyOptions struct {
	keys      []string
	signature string
	bundles   []string
	policy    string
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	var o verifyOptions
	c := &cobra.Command{
		Use:   "verify ARTIFACT --key KEY.pub",
		Short: "Verify an artifact's signed provenance (and a model directory's signature)",
		Long: `Verify ARTIFACT (a file, a directory, sha256:<hex>, or a model in a registry,
oci://REGISTRY/REPOSITORY:TAG or @sha256:...) against trusted public
keys: find the provenance whose subject is the artifact's digest (in this
home's catalog, or in --bundle files), check its signature and subject, and
say what was verified, signed by which key, built by which run from which
code and data. A model directory's OpenSSF signature (DIR/model.sig, or
--signature) is checked file by file, naming files added, removed or changed.
With --policy FILE the policy is evaluated instead, with this home's
evidence; for a model in a registry, on the tree its layers make up, the
provenance attached to it there counting beside the home's.

Exit codes: 0 verified, 1 not verified, 2 bad usage.`,
		Example: `  lockstep verify model/ --key keys/builder.pub
  lockstep verify export/artifacts/evaluate/metrics --key builder.pub --bundle export/provenance.sigstore.json
  lockstep verify sha256:4c2f… --key builder.pub --json
  lockstep verify oci://registry.internal/team/churn-model:v3 --key builder.pub
  lockstep verify oci://registry.internal/team/churn-model@sha256:4c2f… --policy prod.yaml`,
		Args: exactArgs(1, "one ARTIFACT (a path or sha256:<hex>)"),
		RunE: func(c *cobra.Command, args []string) error { return runVerify(c.Context(), o, g, args[0]) },
	}
	c.Flags().StringArrayVar(&o.keys, "key", nil, "trusted public key (PEM, cosign .pub); repeatable")
	c.Flags().StringVar(&o.signature, "signature", "", "model signature file (default DIR/model.sig)")
	c.Flags().StringArrayVar(&o.bundles, "bundle", nil, "provenance bundle file to check (repeatable; besides the catalog's)")
	c.Flags().StringVar(&o.policy, "policy", "", "evaluate this policy file (its keys replace --key; see `lockstep policy explain`)")
	return c
}

func runVerify(ctx context.Context, o verifyOptions, g *globalOptions, arg string) error {
	isOCI := oci.IsReference(arg)
	if isOCI && (o.signature != "" || len(o.bundles) > 0) {
		return usageErrorf("verify oci://… takes --key or --policy only: its evidence is what the registry holds")
	}
	if isOCI && o.policy == "" {
		return runRegistryVerify(ctx, g, arg, "", o.keys)
	}
	if o.policy != "" {
		return verifyWithPolicy(ctx, g, o.policy, arg)
	}
	if len(o.keys) == 0 {
		return usageErrorf("verify needs at least one --key KEY.pub (the builder's public key)")
	}
	keys, err := loadPublicKeys(o.keys)
	if err != nil {
		return err
	}
	t := verify.Target{Signature: o.signature, Bundles: o.bundles}
	if strings.HasPrefix(arg, core.DigestPrefix) {
		if t.Digest, err = core.ParseDigest(arg); err != nil {
			return &usageError{err}
		}
	} else {
		if _, err := os.Stat(arg); err != nil {
			return &usageError{err}
		}
		t.Path = arg
	}
	h, err := g.openHome(ctx)
	if err != nil && !errors.Is(err, home.ErrNoHome) {
		return err
	}
	var rep *verify.Report
	if h != nil {
		defer h.Close()
		rep, err = verify.Artifact(ctx, h.Store, h.Catalog, t, keys)
	} else {
		rep, err = verify.Artifact(ctx, nil, nil, t, keys)
	}
	if rep == nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		if jerr := p.json(rep); jerr != nil {
			return jerr
		}
	} else {
		printVerifyReport(p, rep)
	}
	if err != nil {
		return &failedError{"not verified: " + strings.Join(rep.Problems, "; ")}
	}
	return nil
}

func loadPublicKeys(paths []string) ([]*attest.PublicKey, error) {
	keys := make([]*attest.PublicKey, 0, len(paths))
	for _, path := range paths {
		k, err := attest.LoadPublicKey(path)
		if err != nil {
			return nil, &usageError{err}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func printVerifyReport(p *printer, rep *verify.Report) {
	if rep.Model != nil && rep.Model.Verified {
		m := rep.Model
		p.result("%s model signature %s: %d files signed by %s (%s)", p.paint(green, "✓"), m.Signature, m.Files, m.KeyFile, m.Key)
	}
	if m := rep.Model; m != nil {
		for _, f := range m.Added {
			p.result("  added    %s", f)
		}
		for _, f := range m.Removed {
			p.result("  removed  %s", f)
		}
		for _, f := range m.Changed {
			p.result("  changed  %s", f)
		}
	}
	if pv := rep.Provenance; pv != nil {
		p.result("%s provenance for %s (%s) %s", p.paint(green, "✓"), rep.Artifact, pv.Subject, rep.Digest)
		p.result("  signed by  %s (%s)", pv.KeyFile, pv.Key)
		p.result("  built by   run %s on %s, %s", pv.Run, pv.Builder, pv.Finished)
		code := pv.Code
		if pv.Commit != "" {
			code += " (git " + shortCommit(pv.Commit) + ")"
		}
		p.result("  from code  %s", code)
		for _, d := range pv.Datasets {
			p.result("  dataset    %s", d)
		}
		for _, in := range pv.Inputs {
			p.result("  input      %s", in)
		}
	}
	for _, pr := range rep.Problems {
		p.result("%s %s", p.paint(red, "✗"), pr)
	}
	if rep.Verified {
		p.result("verified")
	}
}

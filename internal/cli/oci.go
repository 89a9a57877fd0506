package cli

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/verify"
)

func newPushCommand(g *globalOptions) *cobra.Command {
	var signWith string
	c := &cobra.Command{
		Use:   "push RUN:STEP.OUTPUT oci://REGISTRY/REPOSITORY:TAG",
		Short: "Push a run's model to an OCI registry, its provenance and signatures attached",
		Long: `Push the output STEP.OUTPUT of RUN to an OCI registry as a model artifact
(CNCF ModelPack: one raw layer per file, its digest the file's sha256, the
digest lockstep recorded) and attach, as OCI 1.1 referrers, the run's signed
SLSA provenance and the model's OpenSSF signature, laid out as cosign's bundle
specification says. On a registry without the referrers API the referrers tag
schema is used. With --sign-with the run's provenance is also signed about the
manifest digest, so that ` + "`cosign verify-attestation --new-bundle-format`" + ` accepts the
pushed image. Credentials come from the Docker config and its credential
helpers (docker login, as for docker, oras and cosign).

Exit codes: 0 pushed, 1 the registry refused or failed, 2 bad usage.`,
		Example: `  lockstep push last:train.model oci://registry.internal/team/churn-model:v3
  lockstep push 3f9a2c:train.model oci://registry.internal/team/churn-model:v3 --sign-with keys/builder.key`,
		Args: exactArgs(2, "RUN:STEP.OUTPUT and oci://REGISTRY/REPOSITORY:TAG"),
		RunE: func(c *cobra.Command, args []string) error {
			return runPush(c.Context(), g, args[0], args[1], signWith)
		},
	}
	c.Flags().StringVar(&signWith, "sign-with", "", "private key to sign the provenance about the pushed manifest (cosign's format)")
	return c
}

func runPush(ctx context.Context, g *globalOptions, what, to, signWith string) error {
	runRef, target, ok := strings.Cut(what, ":")
	if !ok || runRef == "" || target == "" {
		return usageErrorf("%q: want RUN:STEP.OUTPUT, e.g. last:train.model", what)
	}
	if err := oci.CheckReference(to); err != nil {
		return &usageError{err}
	}
	signer, err := signWithFlag(g, signWith)
	if err != nil {
		return err
	}
	h, run, a, err := g.openArtifact(ctx, runRef, target)
	if err != nil {
		return err
	}
	defer h.Close()
	pushed, err := oci.PushOutput(ctx, h.Store, h.Catalog, oci.Output{Run: run.Record, Tasks: run.Tasks, Target: target, Artifact: a}, to, signer)
	if err != nil {
		return &failedError{err.Error()}
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]any{"run": run.Record.ID, "target": target, "ref": to, "manifest": pushed.Digest, "subject": a.Digest, "referrers": pushed.Referrers})
	}
	p.result("pushed %s of run %s to %s", target, run.Record.ID, to)
	p.result("  manifest   %s", pushed.Digest)
	p.result("  subject    %s (what the run's provenance names)", a.Digest)
	p.result("  attached   %d referrer(s)", len(pushed.Referrers))
	p.result("Next: lockstep pull %s DEST --key KEY.pub", pullRef(to, pushed.Digest))
	return nil
}

// pullRef is to (a registry or layout reference) pinned to the digest d.
func pullRef(to string, d core.Digest) string {
	base := to
	if i := strings.LastIndex(base, "@"); i >= 0 {
		base = base[:i]
	} else if i := strings.LastIndex(base, ":"); i > strings.LastIndex(base, "/") {
		base = base[:i]
	}
	return base + "@" + string(d)
}

func newPullCommand(g *globalOptions) *cobra.Command {
	var keys []string
	c := &cobra.Command{
		Use:   "pull oci://REGISTRY/REPOSITORY[:TAG|@sha256:...] DEST --key KEY.pub",
		Short: "Verify a model in an OCI registry, then download it to DEST",
		Long: `Verify the model at the reference before writing a single file: its attached
provenance must be signed by a trusted key and name the tree its layers make
up. Then download each file, checked against its layer's digest, into a new
folder that becomes DEST only when complete. An attached OpenSSF model signature
is written as DEST/model.sig and checked file by file. On any failure nothing
is left at DEST.

Exit codes: 0 verified and pulled, 1 not verified or a download failed, 2 bad usage.`,
		Example: `  lockstep pull oci://registry.internal/team/churn-model@sha256:4c2f… ./model --key keys/builder.pub`,
		Args:    exactArgs(2, "oci://REFERENCE and DEST"),
		RunE: func(c *cobra.Command, args []string) error {
			return runRegistryVerify(c.Context(), g, args[0], args[1], keys)
		},
	}
	c.Flags().StringArrayVar(&keys, "key", nil, "trusted public key (PEM, cosign .pub); repeatable")
	return c
}

// runRegistryVerify verifies the model at ref and, with dest set, pulls it
// there.
func runRegistryVerify(ctx context.Context, g *globalOptions, ref, dest string, keyPaths []string) error {
	if len(keyPaths) == 0 {
		return usageErrorf("needs at least one --key KEY.pub (the builder's public key)")
	}
	if err := oci.CheckReference(ref); err != nil {
		return &usageError{err}
	}
	if dest != "" {
		if _, err := os.Lstat(dest); err == nil {
			return usageErrorf("%s already exists: choose a new destination", dest)
		}
	}
	keys, err := loadPublicKeys(keyPaths)
	if err != nil {
		return err
	}
	var rep *verify.RegistryReport
	if dest == "" {
		rep, err = verify.Registry(ctx, ref, keys, oci.DefaultLimits)
	} else {
		rep, err = verify.Pull(ctx, ref, dest, keys, oci.DefaultLimits)
	}
	if rep == nil {
		return &failedError{err.Error()}
	}
	p := newPrinter(g)
	if g.json {
		if jerr := p.json(rep); jerr != nil {
			return jerr
		}
	} else {
		p.result("%s  manifest %s", ref, rep.Manifest)
		if rep.ManifestAttested {
			p.result("%s provenance restated about the manifest, signed by a trusted key", p.paint(green, "✓"))
		}
		for _, d := range rep.Documents {
			p.result("  attached %s (%s; unsigned)", d.Type, d.Referrer.Short())
		}
		for _, n := range rep.Notes {
			p.result("  note: %s", n)
		}
		printVerifyReport(p, &rep.Report)
		if err == nil && dest != "" {
			p.result("pulled to %s", dest)
		}
	}
	if err != nil {
		if len(rep.Problems) > 0 {
			return &failedError{"not verified: " + strings.Join(rep.Problems, "; ")}
		}
		return &failedError{err.Error()}
	}
	return nil
}

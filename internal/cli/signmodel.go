package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

type signModelOptions struct {
	key       string
	ignore    []string
	shardSize int64
	out       string
}

func newSignModelCommand(g *globalOptions) *cobra.Command {
	var o signModelOptions
	c := &cobra.Command{
		Use:   "sign-model DIR --key KEY",
		Short: "Sign a model directory (OpenSSF model-signing v1.0) into DIR/model.sig",
		Long: `Sign every file of a model directory with the OpenSSF model-signing v1.0
format: a Sigstore bundle holding an in-toto statement whose predicate lists
each file's sha256 (or each shard's, with --shard-size). The reference
implementation's verifier (model_signing verify key) accepts it, and
` + "`lockstep verify DIR --key KEY.pub`" + ` checks it file by file.

Exit codes: 0 signed, 1 signing failed, 2 bad usage.`,
		Args: exactArgs(1, "one model DIR"),
		RunE: func(c *cobra.Command, args []string) error { return runSignModel(c.Context(), o, g, args[0]) },
	}
	c.Flags().StringVar(&o.key, "key", "", "private key (lockstep or cosign encrypted PEM)")
	c.Flags().StringArrayVar(&o.ignore, "ignore-paths", nil, "paths inside DIR to leave out (repeatable)")
	c.Flags().Int64Var(&o.shardSize, "shard-size", 0, "hash files in shards of this many bytes (0: whole files)")
	c.Flags().StringVar(&o.out, "signature", "", "where to write the signature (default DIR/model.sig)")
	return c
}

func runSignModel(ctx context.Context, o signModelOptions, g *globalOptions, dir string) error {
	if o.key == "" {
		return usageErrorf("sign-model needs --key KEY (make one with `lockstep key generate NAME`)")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageErrorf("%s is not a directory", dir)
	}
	signer, err := attest.LoadSigner(o.key, g.passphrase(false))
	if err != nil {
		return &usageError{err}
	}
	b, err := attest.SignModel(ctx, dir, signer, attest.ModelOptions{IgnorePaths: o.ignore, ShardSize: o.shardSize})
	if err != nil {
		return err
	}
	out := o.out
	if out == "" {
		out = filepath.Join(dir, "model.sig")
	}
	if err := core.WriteFileAtomic(out, b, 0o644); err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]string{"signature": out, "key_fingerprint": signer.PublicKey.Fingerprint()})
	}
	p.result("signed %s with %s (%s): %s", dir, o.key, signer.PublicKey.Fingerprint(), out)
	return nil
}

package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
)

type keyGenerateOptions struct {
	typ   string
	out   string
	force bool
}

func newKeyCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{Use: "key", Short: "Manage signing keys"}
	var o keyGenerateOptions
	gen := &cobra.Command{
		Use:   "generate NAME",
		Short: "Create a signing key pair: NAME.key (encrypted) and NAME.pub",
		Long: `Create a key pair for signing provenance, models, datasets and reviews.
NAME.key is written 0600 in cosign's encrypted format ("ENCRYPTED SIGSTORE
PRIVATE KEY", scrypt + secretbox), so cosign can use it too; NAME.pub is the
PEM public key verifiers trust. The passphrase comes from LOCKSTEP_PASSWORD,
else a prompt.

Exit codes: 0 success, 2 bad usage or the files exist (use --force).`,
		Example: `  LOCKSTEP_PASSWORD=… lockstep key generate builder --out keys/`,
		Args:    exactArgs(1, "one NAME"),
		RunE:    func(c *cobra.Command, args []string) error { return runKeyGenerate(c.Context(), o, g, args[0]) },
	}
	gen.Flags().StringVar(&o.typ, "type", string(attest.KeyECDSAP256), "key type: ecdsa-p256 or ed25519")
	gen.Flags().StringVar(&o.out, "out", ".", "folder to write the key files to")
	gen.Flags().BoolVar(&o.force, "force", false, "overwrite existing key files")
	c.AddCommand(gen)
	return c
}

var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func runKeyGenerate(_ context.Context, o keyGenerateOptions, g *globalOptions, name string) error {
	if !keyName.MatchString(name) {
		return usageErrorf("key name %q: use letters, digits, '.', '_' and '-'", name)
	}
	typ, err := attest.ParseKeyType(o.typ)
	if err != nil {
		return &usageError{err}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	keyPath := filepath.Join(o.out, name+".key")
	pubPath := filepath.Join(o.out, name+".pub")
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Stat(p); err == nil {
			if !o.force {
				return usageErrorf("%s exists: choose another name or pass --force", p)
			}
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	s, err := attest.GenerateKey(typ)
	if err != nil {
		return err
	}
	if err := s.Save(keyPath, pubPath, g.passphrase(true)); err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(map[string]string{"private_key": keyPath, "public_key": pubPath, "fingerprint": s.PublicKey.Fingerprint(), "type": string(typ)})
	}
	p.result("wrote %s (private, 0600) and %s", keyPath, pubPath)
	p.result("fingerprint %s", s.PublicKey.Fingerprint())
	p.info("Sign runs with `lockstep run --sign-with %s`; verifiers trust %s.", keyPath, pubPath)
	return nil
}

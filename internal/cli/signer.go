package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
)

// runSigner picks the key that signs a run's provenance: the --sign-with
// flag, else the flow's signing.key (relative to dir, the folder the flow
// file is in), else $LOCKSTEP_SIGNING_KEY; nil when none is set. Only here
// is a key path resolved; the engine gets a core.Signer.
func runSigner(g *globalOptions, flag string, fl *flow.Flow, dir string) (core.Signer, error) {
	path := flag
	if path == "" && fl.Signing.Key != "" {
		path = fl.Signing.Key
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
	}
	if path == "" {
		path = g.getenv("LOCKSTEP_SIGNING_KEY")
	}
	if path == "" {
		return nil, nil
	}
	s, err := attest.LoadSigner(path, g.passphrase(false))
	if err != nil {
		return nil, &engine.InputError{Err: fmt.Errorf("signing key %s: %w", path, err)}
	}
	return s, nil
}

// rerunSigner is runSigner for a reproduction: a flow that signs with a key
// kept in its project cannot sign a rerun from its snapshot, which holds no
// private keys, so the rebuilder must name theirs.
func rerunSigner(g *globalOptions, flag string) func(fl *flow.Flow, dir string) (core.Signer, error) {
	return func(fl *flow.Flow, dir string) (core.Signer, error) {
		if k := fl.Signing.Key; flag == "" && k != "" && !filepath.IsAbs(k) {
			if _, err := os.Stat(filepath.Join(dir, k)); err != nil {
				return nil, &engine.InputError{Err: fmt.Errorf("the flow signs runs with %s, which its code snapshot does not hold; sign the rerun with the rebuilder's key (lockstep reproduce --sign-with KEY)", k)}
			}
		}
		return runSigner(g, flag, fl, dir)
	}
}

// signWithFlag loads the private key a command's --sign-with names; nil
// when the flag is empty, a usage error when the key cannot be loaded.
func signWithFlag(g *globalOptions, path string) (core.Signer, error) {
	if path == "" {
		return nil, nil
	}
	s, err := attest.LoadSigner(path, g.passphrase(false))
	if err != nil {
		return nil, usageErrorf("--sign-with %s: %v", path, err)
	}
	return s, nil
}

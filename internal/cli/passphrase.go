package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"
)

// passphrase returns a function that yields the key passphrase: from
// $LOCKSTEP_PASSWORD, else $COSIGN_PASSWORD (so cosign keys work as they
// are), else a prompt on the terminal. confirm asks twice (for new keys).
func (g *globalOptions) passphrase(confirm bool) func() ([]byte, error) {
	var cached []byte
	return func() ([]byte, error) {
		if cached != nil {
			return cached, nil
		}
		for _, name := range []string{"LOCKSTEP_PASSWORD", "COSIGN_PASSWORD"} {
			if v := g.getenv(name); v != "" {
				cached = []byte(v)
				return cached, nil
			}
		}
		f, ok := g.stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return nil, errors.New("no passphrase: set LOCKSTEP_PASSWORD (or run on a terminal to be asked)")
		}
		fmt.Fprint(g.stderr, "Passphrase for the key: ")
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(g.stderr)
		if err != nil {
			return nil, err
		}
		if confirm {
			fmt.Fprint(g.stderr, "Again: ")
			again, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(g.stderr)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(p, again) {
				return nil, &usageError{errors.New("the passphrases differ")}
			}
		}
		cached = p
		return p, nil
	}
}

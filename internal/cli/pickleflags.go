package cli

import (
	"github.com/spf13/pflag"

	"lockstep.dev/lockstep/internal/scan"
)

// pickleFlags are the --pickle and --allow-pickle flags of the commands that
// scan files: scan, data add and data import.
type pickleFlags struct {
	policy string
	allow  bool
}

// register adds the flags to fs; what says what an allowed pickle becomes.
func (p *pickleFlags) register(fs *pflag.FlagSet, what string) {
	fs.StringVar(&p.policy, "pickle", string(scan.PickleDeny),
		"format policy for pickles: deny (every pickle), allow-safe (let in pickles importing only safe-listed globals) or allow (any without a dangerous import); allowed pickles are "+what)
	fs.BoolVar(&p.allow, "allow-pickle", false, "same as --pickle allow")
}

// parse returns the policy the flags ask for; contradicting flags are a
// usage error.
func (p *pickleFlags) parse() (scan.PicklePolicy, error) {
	pol, err := scan.ParsePicklePolicy(p.policy)
	if err != nil {
		return "", usageErrorf("--pickle: %v", err)
	}
	if p.allow {
		if pol != scan.PickleDeny && pol != scan.PickleAllow {
			return "", usageErrorf("--allow-pickle means --pickle allow, which contradicts --pickle %s: give one of them", pol)
		}
		pol = scan.PickleAllow
	}
	return pol, nil
}

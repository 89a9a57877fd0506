package cli

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

func newPolicyCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "policy",
		Short: "Check and explain policy files (what an artifact must show to reach production)",
		Long: `A policy names the keys trusted for each role (builders, data producers,
reviewers, rebuilders) and what an artifact must show. ` + "`lockstep verify ARTIFACT\n--policy FILE`" + ` and ` + "`lockstep admission serve`" + ` enforce it. See docs/policy.md.`,
	}
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a policy file and the keys and Rego files it names",
		Long: `Validate FILE: known keys only, roles that exist, readable public keys and Rego
files that compile. Mistakes name the line and the fix.

Exit codes: 0 valid, 2 invalid.`,
		Example: `  lockstep policy check policy.yaml`,
		Args:    exactArgs(1, "one policy FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			pol, err := loadPolicy(args[0])
			if err != nil {
				return err
			}
			p := newPrinter(g)
			if g.json {
				return p.json(map[string]any{"policy": pol.Path, "valid": true, "roles": pol.Roles})
			}
			p.result("%s %s is a valid policy (%d roles)", p.paint(green, "✓"), pol.Path, len(pol.Roles))
			return nil
		},
	}
	explain := &cobra.Command{
		Use:     "explain FILE",
		Short:   "Say in plain words what a policy requires",
		Long:    "Print what FILE requires, one sentence per line.\n\nExit codes: 0 printed, 2 invalid policy.",
		Example: `  lockstep policy explain policy.yaml`,
		Args:    exactArgs(1, "one policy FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			pol, err := loadPolicy(args[0])
			if err != nil {
				return err
			}
			p := newPrinter(g)
			if g.json {
				return p.json(map[string]any{"policy": pol.Path, "explanation": pol.Explain()})
			}
			for _, line := range pol.Explain() {
				p.result("%s", line)
			}
			return nil
		},
	}
	c.AddCommand(check, explain)
	return c
}

// loadPolicy reads a policy file; its mistakes are usage errors (exit 2).
func loadPolicy(path string) (*policy.Policy, error) {
	pol, err := policy.Load(path)
	if err != nil {
		return nil, &usageError{err}
	}
	return pol, nil
}

// verifyWithPolicy is `lockstep verify ARTIFACT --policy FILE`: it evaluates
// the policy for the artifact (a path or sha256:<hex>) against this home's
// evidence and prints the tree of checks.
func verifyWithPolicy(ctx context.Context, g *globalOptions, policyPath, arg string) error {
	pol, err := loadPolicy(policyPath)
	if err != nil {
		return err
	}
	// Held shared: models are materialised into the home's temp folder,
	// which check and gc empty only when no one holds the lock.
	h, done, err := g.openHomeToWrite(ctx, false)
	if err != nil {
		if errors.Is(err, home.ErrNoHome) {
			return usageErrorf("verify --policy reads the evidence from a lockstep home: %v", err)
		}
		return err
	}
	defer done()
	t, err := policyTarget(ctx, h.Store, arg)
	if err != nil {
		return err
	}
	res, err := policy.Evaluate(ctx, h.Store, h.Catalog, pol, t, policy.Options{TempDir: h.TempDir()})
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		if err := p.json(res); err != nil {
			return err
		}
	} else {
		printPolicyResult(p, arg, res)
	}
	if !res.Allowed {
		return &failedError{"not allowed: " + strings.Join(res.Failures(), "; ")}
	}
	return nil
}

// policyTarget turns a path or digest into what policy.Evaluate checks.
func policyTarget(ctx context.Context, st *store.Store, arg string) (policy.Target, error) {
	if strings.HasPrefix(arg, core.DigestPrefix) {
		d, err := core.ParseDigest(arg)
		if err != nil {
			return policy.Target{}, &usageError{err}
		}
		return policy.Target{Digest: d}, nil
	}
	fi, err := os.Stat(arg)
	if err != nil {
		return policy.Target{}, &usageError{err}
	}
	d, err := policy.ArtifactDigest(ctx, st, arg)
	if err != nil {
		return policy.Target{}, err
	}
	t := policy.Target{Digest: d}
	if fi.IsDir() {
		t.Dir = arg
	}
	return t, nil
}

// printPolicyResult prints the checks as a tree, ✓ or ✗ with reasons.
func printPolicyResult(p *printer, artifact string, res *policy.Result) {
	p.result("%s %s", artifact, res.Subject)
	var walk func(indent string, cs []policy.Check)
	walk = func(indent string, cs []policy.Check) {
		for _, c := range cs {
			mark := p.paint(green, "✓")
			if !c.Passed {
				mark = p.paint(red, "✗")
			}
			line := indent + mark + " " + c.Name + ": " + c.Reason
			if c.Evidence != "" {
				line += p.paint(dim, " ["+c.Evidence.Short()+"]")
			}
			p.result("%s", line)
			walk(indent+"  ", c.Checks)
		}
	}
	walk("  ", res.Checks)
	if res.Allowed {
		p.result("allowed by policy %s", res.Policy)
	}
}

package cli

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/verify"
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
// the policy for the artifact (a path, sha256:<hex> or a model in a
// registry, oci://...) against this home's evidence and prints the tree of
// checks.
func verifyWithPolicy(ctx context.Context, g *globalOptions, policyPath, arg string) error {
	pol, err := loadPolicy(policyPath)
	if err != nil {
		return err
	}
	isOCI := oci.IsReference(arg)
	if isOCI {
		if err = oci.CheckReference(arg); err != nil {
			return &usageError{err}
		}
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
	opts := policy.Options{TempDir: h.TempDir()}
	var res *policy.Result
	var rm *verify.RegistryModel
	if isOCI {
		rm, res, err = evaluateRegistryModel(ctx, h, pol, arg, opts)
	} else {
		var t policy.Target
		if t, err = policyTarget(ctx, h.Store, arg); err != nil {
			return err
		}
		res, err = policy.Evaluate(ctx, h.Store, h.Catalog, pol, t, opts)
	}
	if err != nil {
		return err
	}
	p := newPrinter(g)
	switch {
	case g.json && rm != nil:
		err = p.json(struct {
			*verify.RegistryModel
			*policy.Result
		}{rm, res})
	case g.json:
		err = p.json(res)
	case rm != nil:
		p.result("%s", arg)
		p.result("  manifest %s", rm.Manifest)
		p.result("  tree     %s (what its layers make up; the policy judges it)", rm.Tree)
		for _, n := range rm.Notes {
			p.result("  note: %s", n)
		}
		printPolicyResult(p, "", res)
	default:
		printPolicyResult(p, arg+" "+res.Subject.String(), res)
	}
	if err != nil {
		return err
	}
	if !res.Allowed {
		return &failedError{"not allowed: " + strings.Join(res.Failures(), "; ")}
	}
	return nil
}

// evaluateRegistryModel resolves the model at ref through its registry
// (or OCI image layout) and evaluates the policy on the tree its layers
// make up, with the provenance attached there counting beside the home's.
// A registry that cannot be read fails the check.
func evaluateRegistryModel(ctx context.Context, h *engine.Home, pol *policy.Policy, ref string, opts policy.Options) (*verify.RegistryModel, *policy.Result, error) {
	rem, err := oci.OpenAny(ctx, ref, oci.DefaultLimits)
	if err != nil {
		return nil, nil, &failedError{err.Error()}
	}
	rm, err := verify.RegistryEvidence(rem)
	if err != nil {
		return nil, nil, &failedError{err.Error()}
	}
	res, err := rm.Evaluate(ctx, h.Store, h.Catalog, pol, opts)
	return rm, res, err
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

// printPolicyResult prints header (unless "") and the checks as a tree, ✓
// or ✗ with reasons.
func printPolicyResult(p *printer, header string, res *policy.Result) {
	if header != "" {
		p.result("%s", header)
	}
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

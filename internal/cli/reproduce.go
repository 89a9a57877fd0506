package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/reproduce"
)

type reproduceOptions struct {
	steps      []string
	signWith   string
	sandbox    string
	restoreEnv bool
	on         string
	tol        toleranceFlags
}

// toleranceFlags are --rtol and --atol, shared by reproduce and diff.
type toleranceFlags struct{ rtol, atol float64 }

func (t *toleranceFlags) addFlags(c *cobra.Command) {
	c.Flags().Float64Var(&t.rtol, "rtol", 0, "relative tolerance for numbers in metrics and JSON/CSV outputs (a step's compare: overrides it)")
	c.Flags().Float64Var(&t.atol, "atol", 0, "absolute tolerance for numbers in metrics and JSON/CSV outputs")
}

func (t toleranceFlags) tolerance() (reproduce.Tolerance, error) {
	if t.rtol < 0 || t.atol < 0 {
		return reproduce.Tolerance{}, usageErrorf("--rtol and --atol must be 0 or more (got %g and %g)", t.rtol, t.atol)
	}
	return reproduce.Tolerance{RTol: t.rtol, ATol: t.atol}, nil
}

func newReproduceCommand(g *globalOptions) *cobra.Command {
	var o reproduceOptions
	c := &cobra.Command{
		Use:   "reproduce RUN [flags]",
		Short: "Re-run an old run from its recorded code, data, params and seed, and explain every difference",
		Long: `Restore a run's exact code tree and the project files its steps read, run its
flow again with the same params and seed and the cache off, and compare the
rerun with the original task by task. Each output is reproduced (bit-identical),
reproduced within tolerance (only numbers in JSON or CSV differ, within --rtol
and --atol or the step's compare: settings) or differs. When something differs
lockstep names the first task whose inputs matched but whose outputs did not,
shows what changed in its outputs, and the environment diff (packages, OS,
libc, CPU, env vars, seed). The rerun is recorded as a run of its own linked to
the original, and the comparison is stored as a reproduction report; with
--sign-with the outputs that reproduced bit-identically are attested.

RUN is an id, a unique prefix or "last".

Exit codes: 0 the run reproduced, 1 it differs, 2 it could not run (unknown run,
objects missing from the store, bad usage).`,
		Example: `  lockstep reproduce last
  lockstep reproduce 3f2a9c --step train --rtol 1e-6
  lockstep reproduce 3f2a9c --sign-with rebuilder.key --json`,
		Args: exactArgs(1, "one RUN (an id, a unique prefix or last)"),
		RunE: func(c *cobra.Command, args []string) error { return runReproduce(c.Context(), o, g, args[0]) },
	}
	c.Flags().StringSliceVar(&o.steps, "step", nil, "re-run only these steps and what they depend on (repeatable)")
	c.Flags().StringVar(&o.signWith, "sign-with", "", "sign the rerun's provenance and a reproduction attestation with this private key")
	c.Flags().StringVar(&o.sandbox, "sandbox", "", "override the sandbox: required or none (default: as the original ran)")
	c.Flags().BoolVar(&o.restoreEnv, "restore-env", false, "mount the environment the run archived (--archive-env) at its original paths, so the rerun sees the original packages even if the host's changed")
	addOnFlag(c, &o.on)
	o.tol.addFlags(c)
	return c
}

// reproduction is `lockstep reproduce --json`.
type reproduction struct {
	Report       *reproduce.Report `json:"report"`
	ReportDigest core.Digest       `json:"report_digest"`
	Attestation  core.Digest       `json:"attestation,omitempty"`
}

func runReproduce(ctx context.Context, o reproduceOptions, g *globalOptions, ref string) error {
	tol, err := o.tol.tolerance()
	if err != nil {
		return err
	}
	var signer *attest.Signer
	if o.signWith != "" {
		if signer, err = attest.LoadSigner(o.signWith, g.passphrase(false)); err != nil {
			return usageErrorf("--sign-with %s: %v", o.signWith, err)
		}
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	orig, err := loadComparable(ctx, h, ref)
	if err != nil {
		return err
	}
	base, err := (&runOptions{on: o.on}).engineOptions(g, h)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	view := newRunView(p)
	base.Logs, base.Events = view.logs, view.event
	if o.restoreEnv {
		base.RestoreEnvFrom = orig.Record.ID
	}
	res, err := reproduce.Reproduce(ctx, h, orig, reproduce.Options{Engine: base, SignerFor: rerunSigner(g, o.signWith), Steps: o.steps, Tolerance: tol, Sandbox: o.sandbox})
	view.flush()
	if err != nil {
		var ie *engine.InputError
		if errors.As(err, &ie) {
			return err
		}
		return &usageError{fmt.Errorf("could not reproduce: %w", err)}
	}
	out := reproduction{Report: res.Report, ReportDigest: res.ReportDigest}
	if signer != nil {
		a, err := reproduce.Attest(ctx, h.Store, h.Catalog, res, signer)
		switch {
		case errors.Is(err, reproduce.ErrNothingReproduced):
			p.info("not signed: %v", err)
		case err != nil:
			return err
		default:
			out.Attestation = a.Bundle
			p.info("reproduction attested for %d output(s), signed by %s (bundle %s)", len(a.Subjects), signer.PublicKey.Fingerprint(), a.Bundle.Short())
		}
	}
	if g.json {
		if err := p.json(out); err != nil {
			return err
		}
	} else {
		printReport(p, res.Report)
		p.info("Report: lockstep cat %s · rerun: lockstep show %s", res.ReportDigest, res.Report.Rerun)
	}
	return verdictError(res.Report)
}

// loadComparable reads a run for reproduce or diff; an unknown or
// ambiguous reference is a usage error.
func loadComparable(ctx context.Context, h *engine.Home, ref string) (*reproduce.Run, error) {
	r, err := reproduce.LoadRun(ctx, h.Store, h.Catalog, ref)
	if errors.Is(err, catalog.ErrNotFound) || errors.Is(err, catalog.ErrAmbiguous) || errors.Is(err, reproduce.ErrNoRecord) {
		return nil, &usageError{err}
	}
	return r, err
}

// printReport prints the explanation, one finding a line.
func printReport(p *printer, rep *reproduce.Report) {
	for _, line := range rep.Explain() {
		p.result("%s", line)
	}
}

// verdictError is nil when the report says reproduced, else exit code 1.
func verdictError(rep *reproduce.Report) error {
	if rep.Verdict == reproduce.Differs {
		return &failedError{fmt.Sprintf("run %s and run %s differ", rep.Original, rep.Rerun)}
	}
	return nil
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
)

type envOptions struct{ all bool }

func newEnvCommand(g *globalOptions) *cobra.Command {
	var o envOptions
	c := &cobra.Command{
		Use:   "env RUN [STEP]",
		Short: "Show the environment a run's steps ran in",
		Long: `Show the captured environment of each step (or of STEP): OS release, kernel,
architecture, libc, CPU, memory, GPUs, the interpreter and its packages, OS
packages and the allowlisted environment variables (secret values sealed:
hmac-sha256 under the home's key, so a change shows but the value does not).
Steps that share an environment are shown once.

Exit codes: 0 success, 2 unknown run or step.`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		RunE: func(c *cobra.Command, args []string) error {
			step := ""
			if len(args) == 2 {
				step = args[1]
			}
			return runEnv(c.Context(), o, g, args[0], step)
		},
	}
	c.Flags().BoolVar(&o.all, "all", false, "list every OS package too")
	return c
}

func runEnv(ctx context.Context, o envOptions, g *globalOptions, ref, step string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	_, tasks, steps, err := loadRunSteps(ctx, h, ref, step)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	byDigest := map[core.Digest][]string{}
	var order []core.Digest
	for _, s := range steps {
		d := tasks[s].Environment
		if d == "" {
			continue
		}
		if _, seen := byDigest[d]; !seen {
			order = append(order, d)
		}
		byDigest[d] = append(byDigest[d], s)
	}
	if g.json {
		out := map[string]json.RawMessage{}
		for d, ss := range byDigest {
			b, err := h.Store.ReadBytes(d)
			if err != nil {
				return err
			}
			for _, s := range ss {
				out[s] = b
			}
		}
		return p.json(out)
	}
	for i, d := range order {
		if i > 0 {
			p.result("")
		}
		if err := printEnv(p, h, d, byDigest[d], o.all); err != nil {
			return err
		}
	}
	return nil
}

func printEnv(p *printer, h *engine.Home, d core.Digest, steps []string, all bool) error {
	var e capture.Environment
	if err := h.Store.GetJSON(d, &e); err != nil {
		return fmt.Errorf("read environment %s: %w", d, err)
	}
	p.result("%s %s (steps: %v)", p.paint(bold, "environment"), d, steps)
	p.result("  os        %s", e.OS.PrettyName)
	p.result("  kernel    %s (%s)", e.Kernel, e.Arch)
	p.result("  libc      %s", e.Libc)
	p.result("  cpu       %s, %d cores, %d flags", e.CPU.Model, e.CPU.Cores, len(e.CPU.Flags))
	p.result("  memory    %s", humanBytes(e.Memory))
	for _, gpu := range e.GPUs {
		p.result("  gpu       %s, driver %s, %s", gpu.Name, gpu.Driver, humanBytes(gpu.MemoryBytes))
	}
	if in := e.Interpreter; in != nil {
		p.result("  %-9s %s at %s (prefix %s), %d packages:", in.Kind, in.Version, in.Path, in.Prefix, len(in.Packages))
		for _, pkg := range in.Packages {
			p.result("    %s %s", pkg.Name, pkg.Version)
		}
	}
	if ps := e.OSPackages; ps != nil {
		p.result("  packages  %d from %s", len(ps.Packages), ps.Manager)
		if all {
			for _, pkg := range ps.Packages {
				p.result("    %s %s %s", pkg.Name, pkg.Version, pkg.Arch)
			}
		}
	}
	for _, k := range sortedKeys(e.Env) {
		p.result("  env       %s=%s", k, e.Env[k])
	}
	return nil
}

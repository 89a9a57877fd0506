package cli

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/query"
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
	envs, err := query.Environments(ctx, h.Store, h.Catalog, ref, step)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		out := map[string]json.RawMessage{}
		for _, e := range envs {
			for _, s := range e.Steps {
				out[s] = e.Raw
			}
		}
		return p.json(out)
	}
	for i, e := range envs {
		if i > 0 {
			p.result("")
		}
		printEnv(p, e, o.all)
	}
	return nil
}

func printEnv(p *printer, env query.Environment, all bool) {
	e, d, steps := env.Env, env.Digest, env.Steps
	p.result("%s %s (steps: %v)", p.paint(bold, "environment"), d, steps)
	p.result("  os        %s", e.OS.PrettyName)
	p.result("  kernel    %s (%s)", e.Kernel, e.Arch)
	p.result("  libc      %s", e.Libc)
	p.result("  cpu       %s, %d cores, %d flags", e.CPU.Model, e.CPU.Cores, len(e.CPU.Flags))
	p.result("  memory    %s", humanBytes(e.Memory))
	for _, gpu := range e.GPUs {
		p.result("  gpu       %s, driver %s, %s", gpu.Name, gpu.Driver, humanBytes(gpu.MemoryBytes))
	}
	if sw := e.GPUSoftware; sw != nil {
		if sw.Driver != "" {
			p.result("  nvidia    driver %s", sw.Driver)
		}
		for _, t := range sw.Toolkits {
			p.result("  cuda      toolkit %s at %s", t.Version, t.Path)
		}
		for _, l := range sw.Libraries {
			p.result("  gpu lib   %s %s (%s: %s)", l.Name, l.Version, l.Source, l.Path)
		}
		for _, b := range sw.Builds {
			p.result("  built     %s with %s", b.Package, b)
		}
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
}

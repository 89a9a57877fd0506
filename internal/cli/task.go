package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/task"
)

type taskExecOptions struct {
	result string
	keep   bool
}

func newTaskCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "task",
		Short: "Low-level task commands used by the backends",
	}
	var o taskExecOptions
	exec := &cobra.Command{
		Use:   "exec SPEC-DIGEST",
		Short: "Execute one stored task spec and write its record (what every backend runs)",
		Long: `Execute the task spec stored under SPEC-DIGEST: materialise its code and
inputs read-only, run the command in the sandbox with the step contract,
collect and scan its outputs, capture the environment and store the task
record. The record's digest is printed to stderr and written to --result.
Backends (local, Slurm, Kubernetes) all run this command.

Exit codes: 0 a record was written (even for a failed step), 1 no record
could be written, 2 bad usage.`,
		Args: exactArgs(1, "one SPEC-DIGEST"),
		RunE: func(c *cobra.Command, args []string) error { return runTaskExec(c.Context(), o, g, args[0]) },
	}
	exec.Flags().StringVar(&o.result, "result", "", "write the task record's digest to this file")
	exec.Flags().BoolVar(&o.keep, "keep", false, "keep the task's work folder (for debugging)")
	c.AddCommand(exec)
	return c
}

func runTaskExec(ctx context.Context, o taskExecOptions, g *globalOptions, arg string) error {
	d, err := core.ParseDigest(arg)
	if err != nil {
		return &usageError{err}
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	key, err := h.SecretKey()
	if err != nil {
		return err
	}
	_, recDigest, err := task.Exec(ctx, h.Store, d, task.ExecOptions{
		Stdout: g.stdout, Stderr: g.stderr, Environ: g.environ, Keep: o.keep,
		WorkDir: h.WorkDir(), SecretKey: key,
	})
	if err != nil {
		return err
	}
	if o.result != "" {
		if err := core.WriteFileAtomic(o.result, []byte(recDigest.String()+"\n"), 0o644); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(g.stderr, recDigest)
	}
	return nil
}

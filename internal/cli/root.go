package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/hostcache"
	"lockstep.dev/lockstep/internal/query"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	home    string
	json    bool
	quiet   bool
	environ []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
}

// Execute runs lockstep with args and returns the process exit code.
func Execute(args []string) int {
	defer startProfile()()
	return run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, os.Environ())
}

// run is Execute with its surroundings injected, for tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A closed stdout or stderr (`lockstep run | head`) must not kill a
	// run: with SIGPIPE caught, a write to it fails with EPIPE instead, and
	// output is dropped while the work goes on. Caught, not ignored, so the
	// steps lockstep starts get the default SIGPIPE behaviour back.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	root := newRootCommand(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	newPrinter(g).error(err)
	return code
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "lockstep",
		Short: "Run machine-learning flows reproducibly; record, sign and verify everything they used and made",
		Long: `lockstep runs the steps of a flow (lockstep.yaml) as ordinary commands and records
the code, data, packages, OS environment, seed and outputs of every step in a
content-addressed store, so any result can be traced, trusted and rebuilt.

Exit codes: 0 success, 1 a run or check failed, 2 a usage or input error.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version(),
	}
	root.PersistentFlags().StringVar(&g.home, "home", "", "lockstep home folder (default: $LOCKSTEP_HOME, else the nearest .lockstep folder)")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print JSON on stdout (logs and errors go to stderr)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print only results and errors")
	// No argument names a command: `lockstep` alone shows help, anything
	// else is an unknown command, a usage error of ours (exit 2).
	root.Args = cobra.ArbitraryArgs
	root.SuggestionsMinimumDistance = 2
	root.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		hint := "see `lockstep --help` for the commands"
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("did you mean %q?", s[0])
		}
		return usageErrorf("unknown command %q (%s)", args[0], hint)
	}
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error { return checkNumbers(c) }
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see `%s --help`)", err, c.CommandPath())
	})
	// Bool flags are switches: show them as such, not as "--json[=true|false]".
	cobra.AddTemplateFunc("plainBools", func(s string) string {
		return strings.ReplaceAll(s, "[=true|false]", strings.Repeat(" ", len("[=true|false]")))
	})
	root.SetUsageTemplate(strings.ReplaceAll(root.UsageTemplate(), "FlagUsages | trimTrailingWhitespaces", "FlagUsages | plainBools | trimTrailingWhitespaces"))
	root.AddCommand(
		newInitCommand(g), newRunCommand(g), newRunsCommand(g), newShowCommand(g),
		newLogsCommand(g), newCatCommand(g), newGetCommand(g), newEnvCommand(g), newPushCommand(g), newPullCommand(g), newNotebookCommand(g),
		newCheckCommand(g), newGCCommand(g), newStoreCommand(g), newTaskCommand(g), newScanCommand(g),
		newReproduceCommand(g), newDiffCommand(g),
		newKeyCommand(g), newVerifyCommand(g), newSignModelCommand(g), newAttestationsCommand(g), newExportCommand(g),
		newDataCommand(g), newReviewCommand(g), newBOMCommand(g), newSBOMCommand(g),
		newResumeCommand(g), newWhyCommand(g), newCatalogCommand(g),
		newPolicyCommand(g), newAdmissionCommand(g), newVulndbCommand(g), newAuditDepsCommand(g),
	)
	return root
}

// usageError is an error in what the user typed or wrote: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// failedError means the command worked but what it checked failed: exit 1.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

// checkNumbers refuses a negative value for any numeric flag the user set:
// counts, sizes, tolerances and durations are never below zero.
func checkNumbers(c *cobra.Command) error {
	var bad error
	c.Flags().Visit(func(f *pflag.Flag) {
		if bad != nil {
			return
		}
		negative := false
		switch f.Value.Type() {
		case "int", "int64", "float64":
			v, err := strconv.ParseFloat(f.Value.String(), 64)
			negative = err == nil && v < 0
		case "duration":
			v, err := time.ParseDuration(f.Value.String())
			negative = err == nil && v < 0
		}
		if negative {
			bad = usageErrorf("--%s %s: want 0 or more (see `%s --help`)", f.Name, f.Value, c.CommandPath())
		}
	})
	return bad
}

func exitCode(err error) int {
	if errors.Is(err, context.Canceled) {
		return exitFailed // interrupted (SIGINT, SIGTERM): nothing was checked
	}
	var ue *usageError
	var ie *engine.InputError
	var qe *query.InputError
	var fe *flow.Error
	var fl flow.ErrorList
	switch {
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &qe), errors.As(err, &fe), errors.As(err, &fl),
		errors.Is(err, home.ErrNoHome):
		return exitUsage
	}
	return exitFailed
}

// args returns cobra's positional-argument validator with our exit code.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %s (got %d arguments); see `%s --help`", c.CommandPath(), what, len(args), c.CommandPath())
		}
		return nil
	}
}

func rangeArgs(lo, hi int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return usageErrorf("%s takes %s (got %d arguments); see `%s --help`", c.CommandPath(), what, len(args), c.CommandPath())
		}
		return nil
	}
}

// homeRoot resolves the home folder from --home, LOCKSTEP_HOME or the
// working directory.
func (g *globalOptions) homeRoot() string {
	explicit := g.home
	if explicit == "" {
		explicit = g.getenv("LOCKSTEP_HOME")
	}
	wd, _ := os.Getwd()
	return home.Find(explicit, wd)
}

// getenv looks a variable up in the injected environment; as for a child
// process's environment, the last of duplicate entries wins.
func (g *globalOptions) getenv(name string) string {
	for i := len(g.environ) - 1; i >= 0; i-- {
		kv := g.environ[i]
		if len(kv) > len(name) && kv[:len(name)] == name && kv[len(name)] == '=' {
			return kv[len(name)+1:]
		}
	}
	return ""
}

// openHome opens the existing home.
func (g *globalOptions) openHome(ctx context.Context) (*engine.Home, error) {
	return g.openHomeAt(ctx, g.homeRoot(), false)
}

// openHomeAt opens the home at root, with config.yaml's URLs overridden by
// LOCKSTEP_STORE and LOCKSTEP_CATALOG from the command's environment.
func (g *globalOptions) openHomeAt(ctx context.Context, root string, create bool) (*engine.Home, error) {
	h, err := engine.OpenHome(ctx, root, home.Options{Create: create, Getenv: g.getenv})
	if err == nil {
		hostcache.Use(hostcache.Dir(home.CacheDir(root)))
	}
	return h, err
}

// openHomeToWrite opens the home (creating it when create is set) for a
// command that writes objects outside a run, holding the store lock
// shared so that gc waits for it; done releases the lock and closes the
// home.
func (g *globalOptions) openHomeToWrite(ctx context.Context, create bool) (h *engine.Home, done func(), err error) {
	if h, err = g.openHomeAt(ctx, g.homeRoot(), create); err != nil {
		return nil, nil, err
	}
	held, err := h.HoldShared(ctx)
	if err != nil {
		h.Close()
		return nil, nil, err
	}
	return h, func() { held.Unlock(); h.Close() }, nil
}

// checkRead refuses to hand out bytes of a restricted dataset without the
// data-access token (LOCKSTEP_DATA_ACCESS_TOKEN): the rule of every read
// path, as for `data get`. The refusal is a failed check (exit 1).
func (g *globalOptions) checkRead(ctx context.Context, h *engine.Home, artifacts ...core.Artifact) error {
	if err := dataset.CheckRead(ctx, h.Store, h.Catalog, h.Root, g.getenv(dataset.AccessTokenVar), artifacts...); err != nil {
		return &failedError{err.Error()}
	}
	return nil
}

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/hostcache"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/task"
)

type taskExecOptions struct {
	store   string
	catalog string
	work    string
	keep    bool
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
		Long: `Execute the task spec stored under SPEC-DIGEST where this command runs: check
the sandbox, capture this host's environment, look the task up in the cache by
its final key, else materialise its code and inputs read-only, run the command
with the step contract, collect and scan its outputs and store the task record.
Backends (local, Slurm, Kubernetes) all run this command.

The store and catalog are named by URL (--store, --catalog, else
$LOCKSTEP_STORE and $LOCKSTEP_CATALOG, else the home's). The step's output
streams to stdout and stderr; the last line of stdout is the report,
"lockstep-task-record: sha256:HEX", the digest of the record written.

Exit codes: 0 a record was written and reported (even for a failed step), 1
no record could be written, 2 bad usage.`,
		Args: exactArgs(1, "one SPEC-DIGEST"),
		RunE: func(c *cobra.Command, args []string) error { return runTaskExec(c.Context(), o, g, args[0]) },
	}
	exec.Flags().StringVar(&o.store, "store", "", "URL of the store holding the spec (default: $LOCKSTEP_STORE, else the home's)")
	exec.Flags().StringVar(&o.catalog, "catalog", "", "URL of the catalog to look the cache up in (default: $LOCKSTEP_CATALOG, else the home's)")
	exec.Flags().StringVar(&o.work, "work", "", "folder to make the task's work folder in (default: $LOCKSTEP_WORK, else the home's work folder, else a temp folder)")
	exec.Flags().BoolVar(&o.keep, "keep", false, "keep the task's work folder (for debugging)")
	c.AddCommand(exec)
	return c
}

// executorConfig resolves where the executor finds the store and catalog
// and makes work folders: flags, then the environment, then the home.
func (o taskExecOptions) executorConfig(g *globalOptions) (backend.Config, error) {
	root := g.homeRoot()
	urls, err := home.Resolve(root, g.getenv) // config.yaml, then LOCKSTEP_STORE/CATALOG
	if err != nil {
		return backend.Config{}, err
	}
	pick := func(flag, fallback string) string {
		if flag != "" {
			return flag
		}
		return fallback
	}
	cfg := backend.Config{
		Store:   pick(o.store, urls.Store),
		Catalog: pick(o.catalog, urls.Catalog),
		Work:    pick(o.work, g.getenv("LOCKSTEP_WORK")),
	}
	if cfg.Work == "" {
		cfg.Work = filepath.Join(os.TempDir(), "lockstep-work")
		if cfg.Store == urls.Store {
			cfg.Work = filepath.Join(root, "work")
		}
	}
	return cfg, nil
}

// objectCache is the cache folder where an executor keeps verified copies
// of a bucket's objects: the home's when it works there, else the user's
// (~/.cache/lockstep).
func (o taskExecOptions) objectCache(g *globalOptions, cfg backend.Config) string {
	root := g.homeRoot()
	if cfg.Work == filepath.Join(root, "work") {
		return home.CacheDir(root)
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "lockstep")
	}
	return filepath.Join(os.TempDir(), "lockstep-cache")
}

// installedFilesCache is where the executor remembers the verification of
// installed files and its answers about the host (hostcache): the home's
// cache folder when the home is on this host, else nowhere but memory (a
// folder outside the home could lie inside a project, whose code snapshot
// would then pick it up).
func installedFilesCache(g *globalOptions) string {
	root := g.homeRoot()
	if st, err := os.Stat(root); err == nil && st.IsDir() {
		return home.CacheDir(root)
	}
	return ""
}

func runTaskExec(ctx context.Context, o taskExecOptions, g *globalOptions, arg string) error {
	d, err := core.ParseDigest(arg)
	if err != nil {
		return &usageError{err}
	}
	cfg, err := o.executorConfig(g)
	if err != nil {
		return err
	}
	local, err := home.Resolve(g.homeRoot(), g.getenv) // cache_size, LOCKSTEP_CACHE_SIZE
	if err != nil {
		return err
	}
	st, err := store.OpenURLWith(ctx, cfg.Store, store.Options{CacheDir: o.objectCache(g, cfg), CacheSize: local.CacheBytes()})
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := home.OpenCatalog(ctx, cfg.Catalog)
	if err != nil {
		return err
	}
	defer cat.Close()
	out := backend.NewReporter(g.stdout)
	key, err := home.SecretKeyAt(g.homeRoot())
	if err != nil {
		return err
	}
	if dir := installedFilesCache(g); dir != "" {
		hostcache.Use(hostcache.Dir(dir))
	}
	_, recDigest, err := task.Exec(ctx, st, d, task.ExecOptions{
		Stdout: out, Stderr: g.stderr, Environ: g.environ, Keep: o.keep, WorkDir: cfg.Work, Cache: cat, SecretKey: key, CacheDir: installedFilesCache(g),
	})
	if err != nil {
		return err
	}
	if err := out.Report(recDigest); err != nil {
		return fmt.Errorf("report task record %s: %w", recDigest, err)
	}
	return nil
}

package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/home"
)

type initOptions struct {
	file    string
	name    string
	store   string
	catalog string
}

func newInitCommand(g *globalOptions) *cobra.Command {
	var o initOptions
	c := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create lockstep.yaml from a template and the .lockstep home (store + catalog)",
		Long: `Create lockstep.yaml from a commented template (unless one exists) and the
.lockstep folder that holds the object store and the catalog. With --store
and --catalog the home keeps its objects and index at those URLs instead
(written to .lockstep/config.yaml; LOCKSTEP_STORE and LOCKSTEP_CATALOG
override them per command).

Exit codes: 0 success, 2 bad usage.`,
		Args: rangeArgs(0, 1, "at most one folder"),
		RunE: func(c *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(c.Context(), o, g, dir)
		},
	}
	c.Flags().StringVarP(&o.file, "file", "f", "lockstep.yaml", "flow file to create")
	c.Flags().StringVar(&o.name, "name", "", "flow name (default: the folder's name)")
	c.Flags().StringVar(&o.store, "store", "", "object store URL written to the home's config.yaml: file:///path or s3://bucket/prefix?endpoint=… (default: the home folder)")
	c.Flags().StringVar(&o.catalog, "catalog", "", "catalog URL written to the home's config.yaml: sqlite:///path or postgres://user@host/db (default: HOME/catalog.db)")
	return c
}

var nameUnsafe = regexp.MustCompile(`[^a-z0-9._-]+`)

func runInit(ctx context.Context, o initOptions, g *globalOptions, dir string) error {
	p := newPrinter(g)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	name := o.name
	if name == "" {
		name = strings.Trim(nameUnsafe.ReplaceAllString(strings.ToLower(filepath.Base(abs)), "-"), "-._")
		if name == "" {
			name = "flow"
		}
	}
	flowPath := filepath.Join(abs, o.file)
	created := false
	if _, err := os.Stat(flowPath); errors.Is(err, os.ErrNotExist) {
		if err := core.WriteFileAtomic(flowPath, flow.Template(name), 0o644); err != nil {
			return err
		}
		created = true
	}
	root := g.home
	if root == "" {
		root = g.getenv("LOCKSTEP_HOME")
	}
	if root == "" {
		root = filepath.Join(abs, home.Dir)
	}
	want := home.Config{Store: o.store, Catalog: o.catalog}
	h, err := engine.OpenHome(ctx, root, home.Options{Create: true, Getenv: g.getenv, Config: want})
	if err != nil {
		return err
	}
	defer h.Close()
	if have, err := home.ReadConfig(root); err != nil {
		return err
	} else if want.Store != "" && want.Store != have.Store || want.Catalog != "" && want.Catalog != have.Catalog {
		return usageErrorf("the home %s already exists with store %q and catalog %q; edit %s to move it", root, have.Store, have.Catalog, filepath.Join(root, home.ConfigFile))
	}
	ignoreHome(abs)
	if g.json {
		return p.json(map[string]any{"flow": flowPath, "created": created, "home": root})
	}
	if created {
		p.result("created %s", rel(flowPath))
	} else {
		p.result("kept the existing %s", rel(flowPath))
	}
	p.result("home %s (object store and catalog)", rel(root))
	if cfg := h.Config; cfg.Store != "" || cfg.Catalog != "" {
		p.result("  store   %s", home.Redact(orDefault(cfg.Store, "the home folder")))
		p.result("  catalog %s", home.Redact(orDefault(cfg.Catalog, "catalog.db in the home folder")))
	}
	p.info("Next: edit the steps in %s, then `lockstep run`.", rel(flowPath))
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ignoreHome adds .lockstep/ to an existing .gitignore that lacks it.
func ignoreHome(dir string) {
	path := filepath.Join(dir, ".gitignore")
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if l := strings.TrimSpace(line); l == ".lockstep" || l == ".lockstep/" || l == "/.lockstep/" || l == "/.lockstep" {
			return
		}
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	_ = core.WriteFileAtomic(path, append(b, ".lockstep/\n"...), 0o644)
}

// rel shortens a path relative to the working directory for display.
func rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	r, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(r, "..") {
		return path
	}
	return r
}

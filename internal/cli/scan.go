package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/task"
)

type scanOptions struct {
	allowGlobals string
	pickle       pickleFlags
}

func newScanCommand(g *globalOptions) *cobra.Command {
	var o scanOptions
	c := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Find unsafe serialisation (pickles, however disguised) and validate safe formats",
		Long: `Scan files and directories by content, never by extension: raw pickles, pickles
inside zip containers (PyTorch, npz, keras), compressed joblib files, legacy
PyTorch formats, numpy object arrays, Keras Lambda layers, ONNX external data
escaping the model folder. Pickles are walked without executing anything and
the callables they would import are listed, with a reconstruction of what
loading would call. Safe formats (safetensors, npy, Parquet, Avro, CSV) are
validated, and their row, column and tensor counts shown.

Every pickle stream is refused by default, however harmless: the verdict says
"refused" (by the format policy, naming what the pickle imports) or "unsafe"
(a dangerous import, with what loading would call). --pickle allow-safe lets
in pickles whose imports are all on the safe list (extend it with
--allow-pickle-globals), --pickle allow any without a dangerous import; both
report the file as "allowed", a warning. No policy lets a dangerous import in.

Exit codes: 0 clean or allowed, 1 unsafe, refused or invalid files found, 2 bad
usage or an unreadable path.`,
		Example: `  lockstep scan model.pt data/
  lockstep scan --pickle allow-safe --allow-pickle-globals trusted-globals.txt checkpoints/`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("scan takes at least one PATH")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runScan(c.Context(), o, g, args) },
	}
	c.Flags().StringVar(&o.allowGlobals, "allow-pickle-globals", "", "file of module.name entries (one per line, # comments) to add to the safe list (for --pickle allow-safe)")
	o.pickle.register(c.Flags(), "reported as a warning")
	return c
}

func runScan(ctx context.Context, o scanOptions, g *globalOptions, paths []string) error {
	pol, err := o.pickle.parse()
	if err != nil {
		return err
	}
	opts := scan.Options{Pickle: pol}
	if o.allowGlobals != "" {
		list, err := scan.LoadAllowList(o.allowGlobals)
		if err != nil {
			return &usageError{err}
		}
		opts.AllowGlobals = list
	}
	var reports []*scan.Report
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return &usageError{fmt.Errorf("scan %s: %w", path, err)}
		}
		if fi.IsDir() {
			rs, err := scan.Tree(ctx, path, opts)
			if err != nil {
				return &usageError{err}
			}
			reports = append(reports, rs...)
			continue
		}
		r, err := scan.File(ctx, path, opts)
		if err != nil {
			return &usageError{err}
		}
		reports = append(reports, r)
	}
	p := newPrinter(g)
	failed := 0
	for _, r := range reports {
		if r.Failed() {
			failed++
		}
	}
	if g.json {
		if err := p.json(reports); err != nil {
			return err
		}
	} else {
		for _, r := range reports {
			printScanReport(p, r)
		}
		p.result("%d files scanned, %d refused", len(reports), failed)
	}
	if failed > 0 {
		return &failedError{fmt.Sprintf("%d unsafe, refused or invalid files", failed)}
	}
	return nil
}

func printScanReport(p *printer, r *scan.Report) {
	mark := p.paint(green, "✓")
	if r.Failed() {
		mark = p.paint(red, "✗")
	} else if r.Verdict == scan.Verdict("allowed") {
		mark = p.paint(yellow, "!")
	}
	line := fmt.Sprintf("%s %s: %s, %s", mark, r.Path, r.Format, r.Verdict)
	if r.Summary != nil {
		if s := countSummary(task.SummaryCounts(r.Summary)); s != "" {
			line += " (" + s + ")"
		}
	}
	p.result("%s", line)
	for _, f := range r.Findings {
		where := ""
		if f.Member != "" {
			where = f.Member + ": "
		}
		p.result("    %s%s [%s]", where, f.Message, f.Severity)
		for _, gl := range f.Globals {
			if gl.Class != "safe" {
				p.result("      imports %s.%s (%s)", gl.Module, gl.Name, gl.Class)
			}
		}
		for _, call := range f.Calls {
			p.result("      would call %s", strings.TrimSpace(call))
		}
	}
}

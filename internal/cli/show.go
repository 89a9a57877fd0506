package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

func newShowCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show RUN",
		Short: "Show a run: tasks, inputs and outputs by digest, environment, metrics",
		Long: `Show a run's tasks with their inputs and outputs by digest, the environment
summary, metrics, where to find the logs and, when the run was audited
(lockstep audit-deps), each step's advisories. RUN is an id, a unique
prefix or "last".

Exit codes: 0 success, 2 unknown run or no lockstep home.`,
		Args: exactArgs(1, "one RUN (an id, a unique prefix or last)"),
		RunE: func(c *cobra.Command, args []string) error { return runShow(c.Context(), g, args[0]) },
	}
}

func runShow(ctx context.Context, g *globalOptions, ref string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	s, err := query.Show(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(s)
	}
	rec := s.Run
	p.result("run %s  flow %s  %s", p.paint(bold, rec.ID), rec.Flow, statusColor(p, rec.Status))
	p.result("  started  %s, took %s", rec.Started.Local().Format(time.RFC3339), rec.Duration().Round(time.Millisecond))
	if rec.Error != "" {
		p.result("  error    %s", rec.Error)
	}
	p.result("  code     %s%s", rec.Code, gitSummary(rec.Git))
	p.result("  flow     %s (%s)", rec.FlowPath, rec.FlowFile)
	p.result("  seed     %d   params %s   sandbox %s", rec.Seed, paramSummary(rec.Params), rec.Sandbox)
	for _, step := range s.Steps() {
		showTask(p, s, step, s.Tasks[step])
	}
	p.info("Logs: lockstep logs %s [STEP] · environment: lockstep env %s [STEP]", rec.ID, rec.ID)
	return nil
}

func showTask(p *printer, s *query.Showing, step string, t *core.TaskRecord) {
	line := fmt.Sprintf("%s  %s", p.paint(bold, step), statusColor(p, t.Status))
	if !t.Finished.IsZero() {
		line += fmt.Sprintf("  %s", t.Finished.Sub(t.Started).Round(time.Millisecond))
	}
	if t.Status != core.StatusSkipped {
		line += fmt.Sprintf("  exit %d", t.ExitCode)
	}
	if t.PeakRSS > 0 {
		line += "  peak memory " + humanBytes(t.PeakRSS)
	}
	if t.CachedFrom != "" {
		line += "  (cached from task " + t.CachedFrom.Short() + ")"
	}
	p.result("")
	p.result("%s", line)
	p.result("  $ %s", t.Command)
	if t.Error != "" {
		p.result("  error: %s", t.Error)
	}
	for _, name := range sortedKeys(t.Inputs) {
		a := t.Inputs[name]
		p.result("  in   %-12s %s  %s  %s", name, a.Digest, humanBytes(a.Size), a.Source)
	}
	for _, name := range sortedKeys(t.Outputs) {
		a := t.Outputs[name]
		p.result("  out  %-12s %s  %s  %s", name, a.Digest, humanBytes(a.Size), a.Kind)
	}
	for _, f := range t.Files {
		if len(f.Summary) == 0 && len(f.Findings) == 0 {
			continue
		}
		what := f.Artifact
		if f.Path != "" {
			what += "/" + f.Path
		}
		p.result("  file %s: %s %s %s", what, f.Format, f.Verdict, countSummary(f.Summary))
		for _, msg := range f.Findings {
			p.result("       %s", msg)
		}
	}
	if len(t.Metrics) > 0 {
		p.result("  metrics %s", string(t.Metrics))
	}
	if env := s.Environment(t.Environment); env != nil {
		p.result("  env  %s  %s", t.Environment.Short(), envSummary(env))
	}
	if fs, audited := s.AuditOf(step); audited {
		p.result("  deps %s", auditSummary(p, fs))
	}
}

// auditSummary is one line about a step's advisories: how many, how
// severe, and the malicious packages by name.
func auditSummary(p *printer, fs []osv.Finding) string {
	if len(fs) == 0 {
		return p.paint(green, "no advisory affects its packages")
	}
	worst, malicious := osv.RatingNone, []string{}
	for _, f := range fs {
		if f.Malicious {
			malicious = append(malicious, f.Package+" "+f.Version)
		} else if r := f.Rating(); r > worst {
			worst = r
		}
	}
	line := fmt.Sprintf("%d advisories, worst %s", len(fs), worst)
	if len(malicious) > 0 {
		line += ", " + p.paint(red, "MALICIOUS: "+strings.Join(malicious, ", "))
	}
	return line + " (lockstep audit-deps for details)"
}

func countSummary(m map[string]int64) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func envSummary(e *capture.Environment) string {
	parts := []string{e.OS.PrettyName, e.Kernel, e.Arch}
	if e.Libc.Kind != "" {
		parts = append(parts, e.Libc.String())
	}
	if e.Interpreter != nil {
		parts = append(parts, fmt.Sprintf("%s %s (%d packages)", e.Interpreter.Kind, e.Interpreter.Version, len(e.Interpreter.Packages)))
	}
	return strings.Join(parts, ", ")
}

func gitSummary(g *core.GitInfo) string {
	if g == nil || g.Commit == "" {
		return ""
	}
	s := " (git " + shortCommit(g.Commit)
	if g.Branch != "" {
		s += " on " + g.Branch
	}
	if g.Dirty {
		s += ", with uncommitted changes"
	}
	return s + ")"
}

func shortCommit(c string) string {
	if len(c) > 10 {
		return c[:10]
	}
	return c
}

func paramSummary(m map[string]any) string {
	if len(m) == 0 {
		return "(none)"
	}
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

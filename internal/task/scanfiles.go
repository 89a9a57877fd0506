package task

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// scanOptions turns the flow's `formats:` into scanner options.
func scanOptions(s *core.TaskSpec) scan.Options { return ScanOptions(s.Formats) }

// ScanOptions turns a flow's `formats:` into the options its steps scan
// their inputs and outputs with.
func ScanOptions(formats map[string]string) scan.Options {
	return scan.Options{Pickle: scan.PicklePolicy(formats["pickle"])}
}

// scanInputs scans the inputs that did not come from another step (those
// were scanned as that step's outputs). It returns the records of files the
// format policy let in with a warning, and a message for the user when an
// input is refused. A file whose bytes were scanned before under the same
// rules (by digest, in the store's scan memo: by an earlier task, or by
// `data add`) is not scanned again.
func scanInputs(ctx context.Context, st *store.Store, s *core.TaskSpec, paths map[string]string) ([]core.FileReport, string, error) {
	names := make([]string, 0, len(paths))
	for name := range paths {
		if !strings.HasPrefix(s.Inputs[name].Source, "step:") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	memo := st.Memo("scan")
	cache := scan.NewCache(memo, scanOptions(s))
	var allowed []core.FileReport
	for _, name := range names {
		reports, msg, err := scanInput(ctx, st, s, name, paths[name], cache)
		if err != nil || msg != "" {
			if msg != "" {
				msg = fmt.Sprintf("input %s: %s", name, msg)
			}
			return nil, msg, err
		}
		for _, r := range reports {
			if r.Verdict == string(scan.Allowed) {
				allowed = append(allowed, r)
			}
		}
	}
	if memo != nil {
		if err := memo.Save(); err != nil {
			return nil, "", err
		}
	}
	return allowed, "", nil
}

// scanInput scans input name, materialised at path, taking the verdicts
// cache remembers for its files' digests.
func scanInput(ctx context.Context, st *store.Store, s *core.TaskSpec, name, path string, cache *scan.Cache) ([]core.FileReport, string, error) {
	a := s.Inputs[name]
	artifact := "input:" + name
	// A file input is a one-entry tree under its folder: its verdict is
	// remembered under its own name, which can claim a format.
	root, entries := filepath.Dir(path), []core.TreeEntry{{Path: filepath.Base(path), Kind: core.KindFile, Digest: a.Digest}}
	dir := a.Kind == core.KindTree
	if dir {
		tree, err := st.GetTree(a.Digest)
		if err != nil {
			return nil, "", fmt.Errorf("scan %s: %w", artifact, err)
		}
		root, entries = path, tree.Entries
	}
	opts := scanOptions(s)
	reports, err := scan.Entries(ctx, entries, cache, func(ctx context.Context, e core.TreeEntry) (*scan.Report, error) {
		return scan.File(ctx, filepath.Join(root, filepath.FromSlash(e.Path)), opts)
	})
	if err != nil {
		return nil, "", fmt.Errorf("scan %s: %w", artifact, err)
	}
	if !dir {
		reports[0].Path = path
	}
	out, msg := fileReports(artifact, opts, reports, dir)
	return out, msg, nil
}

// warnAllowed writes a warning line for each file a format policy let in.
func warnAllowed(w io.Writer, files []core.FileReport) {
	if w == nil {
		return
	}
	for _, f := range files {
		if f.Verdict != string(scan.Allowed) {
			continue
		}
		what := strings.TrimSpace(f.Artifact + " " + f.Path)
		for _, msg := range f.Findings {
			fmt.Fprintf(w, "lockstep: warning: %s: %s (recorded in the task record)\n", what, msg)
		}
	}
}

// scanPath scans a file or directory and turns the reports into records.
// msg is non-empty when something unsafe or invalid was found.
func scanPath(ctx context.Context, s *core.TaskSpec, artifact, path string) ([]core.FileReport, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("scan %s: %w", artifact, err)
	}
	opts := scanOptions(s)
	var reports []*scan.Report
	if fi.IsDir() {
		reports, err = scan.Tree(ctx, path, opts)
	} else {
		var r *scan.Report
		r, err = scan.File(ctx, path, opts)
		reports = []*scan.Report{r}
	}
	if err != nil {
		return nil, "", fmt.Errorf("scan %s: %w", artifact, err)
	}
	if fi.IsDir() {
		for _, r := range reports {
			if rel, err := filepath.Rel(path, r.Path); err == nil && filepath.IsAbs(r.Path) {
				r.Path = filepath.ToSlash(rel)
			}
		}
	}
	out, msg := fileReports(artifact, opts, reports, fi.IsDir())
	return out, msg, nil
}

// fileReports turns scanner reports into the records a task keeps, with
// a message for the user when one is refused. In a folder (dir), each
// report's path is the file's path in it, with slashes.
func fileReports(artifact string, opts scan.Options, reports []*scan.Report, dir bool) ([]core.FileReport, string) {
	var out []core.FileReport
	var msg string
	for _, r := range reports {
		fr := core.FileReport{Artifact: artifact, Format: r.Format, Verdict: string(r.Verdict)}
		if r.Verdict == scan.Allowed {
			fr.Policy = string(opts.Pickle)
		}
		if dir {
			fr.Path = r.Path
		}
		if r.Summary != nil {
			fr.Summary = SummaryCounts(r.Summary)
		}
		for _, f := range r.Findings {
			line := f.Message
			if f.Member != "" {
				line = f.Member + ": " + line
			}
			if len(f.Calls) > 0 {
				line += " (would call " + strings.Join(f.Calls, "; ") + ")"
			}
			fr.Findings = append(fr.Findings, line)
		}
		out = append(out, fr)
		if r.Failed() && msg == "" {
			where := filepath.Base(r.Path)
			if fr.Path != "" {
				where = fr.Path
			}
			msg = fmt.Sprintf("%s is %s (%s)", where, r.Verdict, r.Format)
			if len(fr.Findings) > 0 {
				msg += ": " + fr.Findings[0]
			}
			msg += refusalHint(r.Verdict)
		}
	}
	return out, msg
}

// SummaryCounts turns a scanner summary into the counts a task record keeps
// (only the non-zero ones: rows, columns, tensors).
func SummaryCounts(s *scan.Summary) map[string]int64 {
	m := map[string]int64{}
	for k, v := range map[string]int64{"rows": s.Rows, "columns": s.Columns, "tensors": s.Tensors} {
		if v != 0 {
			m[k] = v
		}
	}
	return m
}

// refusalHint tells the user what, if anything, the flow can do about a
// refused file.
func refusalHint(v scan.Verdict) string {
	switch v {
	case scan.Refused:
		return "; pickles are refused by the flow's format policy: convert the file to a safe format, or set `formats: {pickle: allow-safe}` (imports only on the safe list) or `{pickle: allow}` (any import that is not dangerous) only if you trust the file"
	case scan.Unsafe:
		return "; unsafe serialisation is refused under every format policy"
	}
	return ""
}

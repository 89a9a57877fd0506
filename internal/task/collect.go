package task

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// collect ingests the declared outputs, scans them and reads the metrics.
func collect(ctx context.Context, st *store.Store, s *core.TaskSpec, dirs workDirs, rec *core.TaskRecord) error {
	for _, o := range s.Outputs {
		p := filepath.Join(dirs.out, filepath.FromSlash(strings.TrimSuffix(o.Path, "/")))
		fi, err := os.Lstat(p)
		if err != nil {
			fail(rec, "step %s did not write output %s: expected %s under $LOCKSTEP_OUTPUT_DIR; it wrote: %s",
				s.Step, o.Name, o.Path, listWritten(dirs.out))
			return nil
		}
		if o.IsDir() != fi.IsDir() || (!fi.IsDir() && !fi.Mode().IsRegular()) {
			want := "a file"
			if o.IsDir() {
				want = "a directory"
			}
			fail(rec, "step %s output %s: %s should be %s", s.Step, o.Name, o.Path, want)
			return nil
		}
		// Scan before ingesting: a directory output is moved into the store.
		reports, msg, err := scanPath(ctx, s, "output:"+o.Name, p)
		if err != nil {
			return err
		}
		rec.Files = append(rec.Files, reports...)
		if msg == "" {
			if msg, err = checkNotebooks(p, fi.IsDir(), reports); err != nil {
				return err
			}
		}
		if msg != "" {
			fail(rec, "step %s output %s: %s", s.Step, o.Name, msg)
			return nil
		}
		a := core.Artifact{Source: "step:" + s.Step + "." + o.Name}
		if o.IsDir() {
			d, tree, err := st.PutTree(ctx, p, store.TreeOptions{Move: true})
			if err != nil {
				fail(rec, "step %s output %s: %v", s.Step, o.Name, err)
				return nil
			}
			a.Digest, a.Kind, a.Size = d, core.KindTree, tree.Size()
		} else {
			d, n, err := st.PutFile(ctx, p)
			if err != nil {
				return fmt.Errorf("store output %s: %w", o.Name, err)
			}
			a.Digest, a.Kind, a.Size, a.File = d, core.KindFile, n, filepath.Base(p)
		}
		rec.Outputs[o.Name] = a
	}
	if err := readMetrics(dirs.metrics, rec); err != nil {
		fail(rec, "step %s: %v", s.Step, err)
		return nil
	}
	rec.Status = core.StatusSucceeded
	return nil
}

// readMetrics records $LOCKSTEP_METRICS if the step wrote it; it must hold a
// JSON object.
func readMetrics(path string, rec *core.TaskRecord) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read metrics: %w", err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("$LOCKSTEP_METRICS must hold a JSON object: %v", err)
	}
	c, err := core.CanonicalJSON(m)
	if err != nil {
		return err
	}
	rec.Metrics = c
	return nil
}

// listWritten names up to ten files a step left in its output folder, to
// help a user see a misspelt output path.
func listWritten(dir string) string {
	var names []string
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			rel += "/"
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if len(names) == 0 {
		return "nothing"
	}
	sort.Strings(names)
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return strings.Join(names, ", ")
}

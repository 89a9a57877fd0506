package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/scan"
)

// loadRun reads the record of the run the provenance names and its tasks.
func (e *evaluator) loadRun() error {
	id, err := e.runID()
	if err != nil || id == "" {
		return err
	}
	row, err := e.cat.Run(e.ctx, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	if row.Record == "" {
		return nil
	}
	var rec core.RunRecord
	if err := e.st.GetJSON(row.Record, &rec); err != nil {
		return fmt.Errorf("read record of run %s: %w", id, err)
	}
	e.ev.Run, e.ev.RunRecord = &rec, row.Record
	for step, d := range rec.Tasks {
		var t core.TaskRecord
		if err := e.st.GetJSON(d, &t); err != nil {
			return fmt.Errorf("read task %s of run %s: %w", step, id, err)
		}
		e.ev.Tasks[step] = TaskEvidence{Record: d, Task: &t}
	}
	return nil
}

// steps returns the run's step names, sorted.
func (e *evaluator) steps() []string { return sortedKeys(e.ev.Tasks) }

// sandbox checks every task ran in the sandbox (and, hermetic, offline).
func (e *evaluator) sandbox() (*Check, error) {
	level := e.pol.Require.Sandbox
	if level == "" {
		return nil, nil
	}
	if e.ev.Run == nil {
		return e.noRun("sandbox"), nil
	}
	var children []Check
	for _, step := range e.steps() {
		te := e.ev.Tasks[step]
		t := te.Task
		switch {
		case t.Sandbox != "bubblewrap":
			children = append(children, fail("task "+step, te.Record, fmt.Sprintf("ran with sandbox %q, not confined (set `sandbox: required` in the flow)", t.Sandbox)))
		case level == SandboxHermetic && t.Network:
			children = append(children, fail("task "+step, te.Record, "ran with network access (hermetic requires `network: false`)"))
		default:
			children = append(children, pass("task "+step, te.Record, "confined by bubblewrap"+map[bool]string{true: ", with network", false: ", no network"}[t.Network]))
		}
	}
	c := group("sandbox", fmt.Sprintf("all %d tasks ran %s", len(children), level), "a task did not run "+level, children)
	c.Evidence = e.ev.RunRecord
	return &c, nil
}

// formats checks the run's files and its datasets' BOMs for pickles: deny
// fails on any pickle, allow-safe on a pickle with an import off the safe
// list (or one the scanner did not let in).
func (e *evaluator) formats() (*Check, error) {
	r := e.pol.Require.Formats
	if r == nil || r.Pickle == "allow" {
		return nil, nil
	}
	if e.ev.Run == nil {
		return e.noRun("formats"), nil
	}
	safe := r.Pickle == "allow-safe"
	var children []Check
	for _, step := range e.steps() {
		te := e.ev.Tasks[step]
		var found []string
		for _, f := range te.Task.Files {
			if isPickle(f) && !(safe && f.Verdict == "allowed" && !offSafeList(f.Findings...)) {
				found = append(found, strings.TrimSpace(f.Artifact+" "+f.Path)+fmt.Sprintf(" (%s, %s)", f.Format, f.Verdict))
			}
		}
		if len(found) > 0 {
			children = append(children, fail("task "+step, te.Record, what(safe)+": "+strings.Join(found, ", ")))
		} else {
			children = append(children, pass("task "+step, te.Record, fmt.Sprintf("%d scanned files, no %s", len(te.Task.Files), what(safe))))
		}
	}
	children = append(children, e.datasetPickles(safe)...)
	denied := "pickles are denied"
	if safe {
		denied = "pickles importing globals off the safe list are denied"
	}
	c := group("formats", "no "+what(safe)+" among the run's files", denied, children)
	c.Evidence = e.ev.RunRecord
	return &c, nil
}

// what names the pickles a rule refuses.
func what(safe bool) string {
	if safe {
		return "pickle importing globals off the safe list"
	}
	return "pickle"
}

// offSafeList reports whether a pickle's findings name an import that is
// not on the safe list.
func offSafeList(findings ...string) bool {
	for _, f := range findings {
		if strings.Contains(f, scan.OffSafeList) {
			return true
		}
	}
	return false
}

// datasetPickles checks the BOMs of the run's datasets for pickles let in
// by a format policy; with safe, only those importing globals off the safe
// list count. A missing or unreadable BOM is the datasets rule's concern,
// not this one's.
func (e *evaluator) datasetPickles(safe bool) []Check {
	var out []Check
	for _, de := range e.datasetInputs() {
		b, err := e.st.ReadBytes(de.BOM)
		if de.BOM == "" || err != nil {
			continue
		}
		bom, err := dataset.ParseBOM(b)
		if err != nil || (safe && bom.PicklePolicy == scan.PickleAllowSafe) {
			continue
		}
		var found []string
		for _, path := range sortedKeys(bom.Scans) {
			f := bom.Scans[path]
			if !(strings.Contains(f.Format, "pickle") || f.Format == "joblib" || f.Verdict == "allowed") {
				continue
			}
			if !safe || f.Verdict != "allowed" || offSafeList(f.Note) {
				found = append(found, fmt.Sprintf("%s (%s, %s)", path, f.Format, f.Verdict))
			}
		}
		if len(found) > 0 {
			out = append(out, fail("dataset "+de.Ref, de.BOM, what(safe)+" files let in by a pickle policy: "+strings.Join(found, ", ")))
		}
	}
	return out
}

// isPickle reports whether a scanned file holds a pickle, allowed or not.
func isPickle(f core.FileReport) bool {
	switch f.Verdict {
	case "allowed", "refused", "unsafe":
		return true
	}
	return strings.Contains(f.Format, "pickle") || f.Format == "joblib"
}

// decode unmarshals a raw predicate.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return errors.New("empty predicate")
	}
	return json.Unmarshal(raw, v)
}

// datasetInputs lists the run's dataset inputs, one per source, sorted.
func (e *evaluator) datasetInputs() []DatasetEvidence {
	seen := map[string]bool{}
	var out []DatasetEvidence
	for _, step := range e.steps() {
		for _, a := range e.ev.Tasks[step].Task.Inputs {
			ref, ok := strings.CutPrefix(a.Source, "dataset:")
			if !ok || seen[a.Source] {
				continue
			}
			seen[a.Source] = true
			out = append(out, DatasetEvidence{Ref: ref, Step: step, Tree: a.Digest, BOM: a.BOM})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out
}

package reproduce

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/store"
)

// comparer compares the outputs of two tasks of one step.
type comparer struct {
	st   *store.Store
	fl   *flow.Flow
	tol  Tolerance
	step string
}

// tolerance returns the first of the step's compare entries named by keys,
// else the default.
func (c *comparer) tolerance(keys ...string) Tolerance {
	if c.fl != nil {
		if s := c.fl.Steps[c.step]; s != nil {
			for _, k := range keys {
				if t, ok := s.Compare[k]; ok {
					return Tolerance{RTol: t.RTol, ATol: t.ATol}
				}
			}
		}
	}
	return c.tol
}

// outputPath is the path the flow declares for output name, or "".
func (c *comparer) outputPath(name string) string {
	if c.fl != nil {
		if s := c.fl.Steps[c.step]; s != nil {
			for _, o := range s.Outputs {
				if o.Name == name {
					return o.Path
				}
			}
		}
	}
	return ""
}

// output compares output name of the two tasks; a nil artifact means that
// task lacks it.
func (c *comparer) output(name string, a, b *core.Artifact) OutputDiff {
	d := OutputDiff{Name: name, Verdict: Differs}
	switch {
	case a == nil:
		d.Kind, d.Rerun, d.RerunSize = b.Kind, b.Digest, b.Size
		d.Details = []string{"only the rerun has it"}
		return d
	case b == nil:
		d.Kind, d.Original, d.OriginalSize = a.Kind, a.Digest, a.Size
		d.Details = []string{"only the original has it"}
		return d
	}
	d.Kind, d.Original, d.Rerun, d.OriginalSize, d.RerunSize = a.Kind, a.Digest, b.Digest, a.Size, b.Size
	switch {
	case a.Digest == b.Digest:
		d.Verdict = Reproduced
	case a.Kind != b.Kind:
		d.Details = []string{fmt.Sprintf("a %s became a %s", a.Kind, b.Kind)}
	case a.Kind == core.KindTree:
		c.trees(&d, name)
	default:
		p := c.outputPath(name)
		file := a.File
		if file == "" {
			file = path.Base(p)
		}
		tol := c.tolerance(name, p, file)
		d.Verdict, d.Details = c.file(file, a.Digest, b.Digest, a.Size, b.Size, tol)
	}
	return d
}

// trees compares two directory outputs file by file.
func (c *comparer) trees(d *OutputDiff, name string) {
	ta, errA := c.st.GetTree(d.Original)
	tb, errB := c.st.GetTree(d.Rerun)
	if err := errors.Join(errA, errB); err != nil {
		d.Details = []string{"cannot read the trees: " + err.Error()}
		return
	}
	d.Files = DiffTrees(ta, tb)
	d.Verdict = Reproduced
	p := c.outputPath(name)
	for i := range d.Files {
		f := &d.Files[i]
		f.Verdict = Differs
		if f.Change == Changed && f.From != "" && f.To != "" {
			ea, _ := ta.Lookup(f.Path)
			eb, _ := tb.Lookup(f.Path)
			if ea.Digest != eb.Digest {
				tol := c.tolerance(name+"/"+f.Path, path.Join(p, f.Path), f.Path, name, p)
				f.Verdict, f.Details = c.file(f.Path, f.From, f.To, ea.Size, eb.Size, tol)
			}
		}
		d.Verdict = worse(d.Verdict, f.Verdict)
	}
}

// file compares two files with different digests: structurally for JSON,
// CSV and TSV, else by size.
func (c *comparer) file(name string, a, b core.Digest, sizeA, sizeB int64, tol Tolerance) (Verdict, []string) {
	sizes := fmt.Sprintf("%d -> %d bytes, %s -> %s", sizeA, sizeB, a.Short(), b.Short())
	ext := strings.ToLower(path.Ext(name))
	var v Verdict
	var details []string
	var err error
	switch ext {
	case ".json":
		v, details, err = c.jsonFile(a, b, tol)
	case ".csv", ".tsv":
		comma := ','
		if ext == ".tsv" {
			comma = '\t'
		}
		v, details, err = c.csvFile(a, b, comma, tol)
	default:
		return Differs, []string{sizes}
	}
	if err != nil {
		return Differs, []string{sizes, "not compared structurally: " + err.Error()}
	}
	if v == Reproduced { // same content, written differently
		details = append(details, "same values, different bytes ("+sizes+")")
		v = WithinTolerance
	}
	return v, details
}

func (c *comparer) jsonFile(a, b core.Digest, tol Tolerance) (Verdict, []string, error) {
	var va, vb any
	err := c.both(a, b, func(ra, rb io.Reader) error {
		var errA, errB error
		va, errA = decodeJSON(ra)
		vb, errB = decodeJSON(rb)
		return errors.Join(errA, errB)
	})
	if err != nil {
		return Differs, nil, err
	}
	changes := diffJSON(va, vb, tol)
	return verdictOf(changes), changeLines(changes, 10), nil
}

func (c *comparer) csvFile(a, b core.Digest, comma rune, tol Tolerance) (Verdict, []string, error) {
	var res csvResult
	err := c.both(a, b, func(ra, rb io.Reader) error {
		var err error
		res, err = diffCSV(ra, rb, comma, tol)
		return err
	})
	return res.verdict, res.details, err
}

// both opens two objects and hands them to fn.
func (c *comparer) both(a, b core.Digest, fn func(ra, rb io.Reader) error) error {
	ra, err := c.st.Open(a)
	if err != nil {
		return err
	}
	defer ra.Close()
	rb, err := c.st.Open(b)
	if err != nil {
		return err
	}
	defer rb.Close()
	return fn(ra, rb)
}

// changeLines renders up to n changes, then how many more there are.
func changeLines(changes []ValueChange, n int) []string {
	var out []string
	for i, ch := range changes {
		if i == n {
			out = append(out, fmt.Sprintf("... and %d more", len(changes)-n))
			break
		}
		out = append(out, ch.String())
	}
	return out
}

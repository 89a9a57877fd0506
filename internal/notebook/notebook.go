// Package notebook checks that a Jupyter notebook's saved outputs come from
// one run of its cells from top to bottom in a fresh kernel: the code cells
// that ran carry the execution counts 1, 2, 3, … in the order they appear,
// and no cell before the last one that ran was skipped. A notebook whose
// cells ran in another order, or were run again, shows results that no
// reader can reproduce by running it.
package notebook

import (
	"encoding/json"
	"fmt"
	"io"
)

// MaxSize is the largest notebook Check reads, in bytes.
const MaxSize = 256 << 20

// Problem is one way the saved outputs depart from a top-to-bottom run.
type Problem struct {
	// Cell is the cell's place in the notebook, from 1, counting every
	// cell (markdown and raw ones too), as Jupyter shows them.
	Cell    int    `json:"cell"`
	Message string `json:"message"`
}

// Report is what Check found.
type Report struct {
	Cells    int       `json:"cells"`    // all cells
	Code     int       `json:"code"`     // code cells
	Executed int       `json:"executed"` // code cells with an execution count
	Problems []Problem `json:"problems"` // empty when the outputs come from one top-to-bottom run
	InOrder  bool      `json:"in_order"` // len(Problems) == 0
}

// file is the part of an nbformat 4 notebook Check reads.
type file struct {
	NBFormat *int   `json:"nbformat"`
	Cells    []cell `json:"cells"`
}

type cell struct {
	CellType       string            `json:"cell_type"`
	ExecutionCount *int64            `json:"execution_count"`
	Outputs        []json.RawMessage `json:"outputs"`
}

// Check reads a notebook (nbformat 4 JSON, at most MaxSize bytes) from r
// and reports whether its saved outputs come from running its code cells
// once each, from top to bottom, in a fresh kernel. An error means r did
// not hold a notebook.
func Check(r io.Reader) (*Report, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("notebook larger than %d bytes", MaxSize)
	}
	var nb file
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	if nb.NBFormat == nil || *nb.NBFormat != 4 {
		return nil, fmt.Errorf("not an nbformat 4 notebook (the field nbformat is missing or not 4); save it with Jupyter 4 or later")
	}
	rep := &Report{Cells: len(nb.Cells), Problems: []Problem{}}
	next := int64(1) // the count the next executed code cell must have
	skipped := 0     // the first code cell not run, while none after it has run yet
	for i, c := range nb.Cells {
		n := i + 1
		if c.CellType != "code" {
			continue
		}
		rep.Code++
		if c.ExecutionCount == nil {
			if len(c.Outputs) > 0 {
				rep.problem(n, "has outputs but no execution count: they were not made by running it (pasted, or left from a kernel that was cleared)")
			} else if skipped == 0 {
				skipped = n
			}
			continue
		}
		rep.Executed++
		count := *c.ExecutionCount
		if skipped != 0 {
			rep.problem(skipped, fmt.Sprintf("was not run, but cell %d after it was: later results may depend on state this cell did not set", n))
			skipped = 0
		}
		switch {
		case count < next:
			rep.problem(n, fmt.Sprintf("ran as [%d], before a cell above it (the next count expected was [%d]): cells ran out of order", count, next))
		case count > next:
			rep.problem(n, fmt.Sprintf("ran as [%d] where [%d] was expected: %d run(s) in between are not in the notebook (a cell run twice, or one deleted)", count, next, count-next))
		}
		next = count + 1
	}
	rep.InOrder = len(rep.Problems) == 0
	return rep, nil
}

func (r *Report) problem(cell int, msg string) {
	r.Problems = append(r.Problems, Problem{Cell: cell, Message: msg})
}

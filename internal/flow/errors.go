package flow

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownStep is wrapped by Select when a step name is not in the flow.
var ErrUnknownStep = errors.New("unknown step")

// Error is one problem in a flow file, located by line and field.
type Error struct {
	// File is the flow file's path as given to Load or Parse.
	File string
	// Line and Column locate the problem; 0 when it concerns the whole file.
	Line, Column int
	// Field is the dotted path of the key, e.g. "steps.train.inputs.data";
	// empty for top-level problems.
	Field string
	// Msg says what is wrong.
	Msg string
	// Hint says how to fix it; may be empty.
	Hint string
}

// Error returns one line: "lockstep.yaml:12: steps.train.inputs.data:
// unknown step "prep" (did you mean "prepare"?)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// ErrorList is every problem Parse found, sorted by line. When there are
// more than 100, the first 100 found are listed and a last *Error, without
// a line, counts the rest. errors.As finds the first *Error in it.
type ErrorList []*Error

// Error returns the problems one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so errors.As and errors.Is look inside.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders the problems by line and column, keeping the order in which
// they were found for equal positions.
func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Column < l[j].Column
	})
}

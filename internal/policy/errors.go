package policy

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error about a malformed policy file.
var ErrInvalid = errors.New("invalid policy")

// Error is a mistake in a policy file, located by file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error renders "FILE:LINE: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *Error) Unwrap() error { return ErrInvalid }

package core

import (
	"bytes"
	"sync"
)

// Tail keeps the last Max bytes written to it: the end of a log, kept
// whole however long the log is; with Max 0 it keeps everything. It is
// safe for concurrent writers and readers.
type Tail struct {
	// Max is how many bytes are kept; 0 keeps them all.
	Max int

	mu  sync.Mutex
	buf bytes.Buffer
}

// Write keeps the end of what was written; it never fails.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.Max; t.Max > 0 && over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

// String returns the bytes kept.
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

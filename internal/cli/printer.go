package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"lockstep.dev/lockstep/internal/core"
)

// printer is the one way commands write: results to stdout, progress and
// diagnostics to stderr. In JSON mode stdout carries only JSON documents and
// errors are JSON too. Colour only on a terminal, never with NO_COLOR.
type printer struct {
	g     *globalOptions
	mu    sync.Mutex
	color bool
	tty   bool
	// statusShown: a progress line is on the terminal and the next line
	// printed must first erase it.
	statusShown bool
}

func newPrinter(g *globalOptions) *printer {
	p := &printer{g: g}
	if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		p.color = g.getenv("NO_COLOR") == "" && g.getenv("TERM") != "dumb"
	}
	return p
}

// result prints a line of a command's result to stdout (not in JSON mode).
func (p *printer) result(format string, args ...any) {
	if p.g.json {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	fmt.Fprintf(p.g.stdout, format+"\n", args...)
}

// info prints progress or a hint to stderr, unless --quiet.
func (p *printer) info(format string, args ...any) {
	if p.g.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	fmt.Fprintf(p.g.stderr, format+"\n", args...)
}

// status shows a one-line progress message on a terminal, replacing the
// previous one; it shows nothing when stderr is not a terminal or --quiet.
func (p *printer) status(format string, args ...any) {
	if !p.tty || p.g.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.g.stderr, "\r\x1b[K"+format, args...)
	p.statusShown = true
}

// clearStatus erases a progress line; the caller holds p.mu.
func (p *printer) clearStatus() {
	if p.statusShown {
		fmt.Fprint(p.g.stderr, "\r\x1b[K")
		p.statusShown = false
	}
}

// json writes v as an indented JSON document to stdout.
func (p *printer) json(v any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	enc := json.NewEncoder(p.g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// error prints a failed command's error to stderr.
func (p *printer) error(err error) {
	if p.g.json {
		b, _ := json.Marshal(map[string]any{"message_type": "error", "error": err.Error(), "exit_code": exitCode(err)})
		fmt.Fprintln(p.g.stderr, string(b))
		return
	}
	msg := err.Error()
	if _, ok := err.(*failedError); ok {
		fmt.Fprintln(p.g.stderr, msg)
		return
	}
	fmt.Fprintln(p.g.stderr, p.paint(red, "lockstep: ")+strings.ReplaceAll(msg, "\n", "\n  "))
}

const (
	red    = "31"
	green  = "32"
	yellow = "33"
	dim    = "2"
	bold   = "1"
)

// paint wraps s in an ANSI colour when colour is on.
func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// lineWriter prefixes every line written to it and writes whole lines only,
// so the logs of steps running side by side never interleave mid-line.
type lineWriter struct {
	p      *printer
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *printer) lines(w io.Writer, prefix string) *lineWriter {
	return &lineWriter{p: p, w: w, prefix: prefix}
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := strings.IndexByte(string(l.buf), '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
	return len(b), nil
}

// Flush writes a last line that had no newline.
func (l *lineWriter) Flush() {
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	l.p.clearStatus()
	fmt.Fprint(l.w, l.prefix)
	l.w.Write(line)
}

// humanBytes renders a byte count like "12.3 MiB".
func humanBytes(n int64) string { return core.HumanSize(n) }

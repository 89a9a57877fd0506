package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
)

type logsOptions struct{ stream string }

func newLogsCommand(g *globalOptions) *cobra.Command {
	var o logsOptions
	c := &cobra.Command{
		Use:   "logs RUN [STEP]",
		Short: "Print the stored stdout and stderr of a run's steps",
		Long: `Print the stdout and stderr each step wrote, as stored. With STEP, only that
step's, without a prefix. With --json, a JSON array with one object per line
({"step", "stream", "line"}, the line without its newline), streamed.

Exit codes: 0 success, 2 unknown run or step.`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		RunE: func(c *cobra.Command, args []string) error {
			step := ""
			if len(args) == 2 {
				step = args[1]
			}
			return runLogs(c.Context(), o, g, args[0], step)
		},
	}
	c.Flags().StringVar(&o.stream, "stream", "both", "which stream: stdout, stderr or both")
	return c
}

func runLogs(ctx context.Context, o logsOptions, g *globalOptions, ref, step string) error {
	if o.stream != "both" && o.stream != "stdout" && o.stream != "stderr" {
		return usageErrorf("--stream %q: want stdout, stderr or both", o.stream)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	logs, err := query.Logs(ctx, h.Store, h.Catalog, ref, step, o.stream)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	var out *jsonArray
	if g.json {
		out = &jsonArray{w: g.stdout}
		defer out.close()
	}
	for _, l := range logs {
		prefix := ""
		if step == "" {
			prefix = l.Step + " │ "
		}
		var err error
		if out != nil {
			err = jsonLogLines(h, l.Digest, l.Step, l.Stream, out)
		} else {
			err = copyObject(h, l.Digest, p.lines(g.stdout, prefix))
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", l.Step, l.Stream, err)
		}
	}
	return nil
}

// copyObject streams a stored object to w.
func copyObject(h *engine.Home, d core.Digest, w io.Writer) error {
	err := query.Copy(h.Store, d, w)
	if lw, ok := w.(*lineWriter); ok {
		lw.Flush()
	}
	return err
}

// logLine is one line of a step's log in `logs --json`.
type logLine struct {
	Step   string `json:"step"`
	Stream string `json:"stream"`
	Line   string `json:"line"`
}

// jsonLogLines writes each line of the stored log d to out.
func jsonLogLines(h *engine.Home, d core.Digest, step, stream string, out *jsonArray) error {
	rc, err := h.Store.Open(d)
	if err != nil {
		return err
	}
	defer rc.Close()
	r := bufio.NewReader(rc)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			if werr := out.add(logLine{step, stream, strings.TrimSuffix(line, "\n")}); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// jsonArray writes a JSON array to w one element at a time, so a long
// listing is never held in memory; close ends it (an empty one is "[]").
type jsonArray struct {
	w io.Writer
	n int
}

func (a *jsonArray) add(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	_, err := fmt.Fprintf(a.w, "%s%s", sep, bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return err
}

func (a *jsonArray) close() {
	if a.n == 0 {
		fmt.Fprintln(a.w, "[]")
		return
	}
	fmt.Fprintln(a.w, "\n]")
}

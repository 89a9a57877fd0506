package query

import (
	"context"
	"io"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Log is one stored output stream of one step.
type Log struct {
	Step   string
	Stream string // "stdout" or "stderr"
	Digest core.Digest
}

// Logs lists the stored logs of run ref's steps (or of step alone, when
// not ""), in the order the steps started, stdout before stderr. stream
// "stdout" or "stderr" keeps only that stream; anything else keeps both.
// Streams a step did not write are left out.
func Logs(ctx context.Context, st *store.Store, cat catalog.Catalog, ref, step, stream string) ([]Log, error) {
	run, steps, err := loadSteps(ctx, st, cat, ref, step)
	if err != nil {
		return nil, err
	}
	var out []Log
	for _, s := range steps {
		t := run.Tasks[s]
		for _, l := range []Log{{s, "stdout", t.Stdout}, {s, "stderr", t.Stderr}} {
			if l.Digest != "" && (stream != "stdout" && stream != "stderr" || stream == l.Stream) {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// Copy streams the stored object d (a log, say) to w, verifying its bytes
// as they are read.
func Copy(st *store.Store, d core.Digest, w io.Writer) error {
	rc, err := st.Open(d)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

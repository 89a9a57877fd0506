package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/backend/local"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/sandbox"
)

// BenchmarkTaskPath measures the per-task path, plan → exec → record, on
// the local backend: a flow of `true` steps run with the cache off (every
// step runs) and on (every step is found in the cache), unconfined and
// under bubblewrap. One op is one step; bench/overhead.sh compares the
// CLI with bare bwrap.
func BenchmarkTaskPath(b *testing.B) {
	const steps = 10
	for _, mode := range []string{"none", "required"} {
		if mode == "required" && sandbox.Available() != nil {
			continue
		}
		for _, cached := range []bool{false, true} {
			name := fmt.Sprintf("sandbox=%s/cached=%v", mode, cached)
			b.Run(name, func(b *testing.B) {
				h, fl, code := benchProject(b, steps)
				be, err := local.Open(h.BackendConfig(local.Name, "", []string{"PATH=" + os.Getenv("PATH")}))
				if err != nil {
					b.Fatal(err)
				}
				opts := Options{Jobs: 1, NoCache: !cached, Sandbox: mode, Backend: be}
				run := func() {
					rec, err := h.Run(context.Background(), fl, code, opts)
					if err != nil || rec.Status != core.StatusSucceeded {
						b.Fatalf("run: %v (%+v)", err, rec)
					}
				}
				if cached {
					run() // fill the cache
				}
				b.ResetTimer()
				for i := 0; i < b.N; i += steps {
					run()
				}
			})
		}
	}
}

// benchProject is a flow of n `true` steps with its own home, snapshotted.
func benchProject(b *testing.B, n int) (*Home, *flow.Flow, Code) {
	dir := b.TempDir()
	var y strings.Builder
	y.WriteString("flow: bench\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&y, "  s%02d: {run: \"true\"}\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "lockstep.yaml"), []byte(y.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	h, err := Open(context.Background(), filepath.Join(dir, home.Dir), true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	fl, err := flow.Load(filepath.Join(dir, "lockstep.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	code, err := h.Snapshot(context.Background(), fl, nil)
	if err != nil {
		b.Fatal(err)
	}
	return h, fl, code
}

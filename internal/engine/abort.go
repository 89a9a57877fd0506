package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// MarkAborted finds runs recorded as running on this host whose process is
// gone (Ctrl-C without cleanup, kill -9, a crash) and marks them aborted.
// It returns their ids.
func (h *Home) MarkAborted(ctx context.Context) ([]string, error) {
	running, err := h.Catalog.RunningRuns(ctx)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var ids []string
	for _, r := range running {
		if r.Host != host || processAlive(r.PID) {
			continue
		}
		msg := fmt.Sprintf("interrupted: process %d ended before the run finished", r.PID)
		if err := h.Catalog.SetRunStatus(ctx, r.ID, core.StatusAborted, msg, time.Now().UTC()); err != nil {
			return ids, err
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

package catalogtest

import (
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Digest returns a distinct valid digest for a label.
func Digest(label string) core.Digest { return core.DigestOf([]byte(label)) }

// At returns a fixed UTC time sec seconds after a base, with nanoseconds,
// so round trips show whether precision survives.
func At(sec int) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC).Add(time.Duration(sec) * time.Second)
}

// RunRecord is the record of a run of flow "housing" on "builder-1"
// that started at At(sec) and finished a minute later.
func RunRecord(id string, sec int, status string) *core.RunRecord {
	return &core.RunRecord{
		Type: core.RunType, ID: id, Flow: "housing", Code: Digest("code " + id), Seed: 42,
		Status: status, Host: "builder-1", Started: At(sec), Finished: At(sec + 60),
	}
}

// TaskRecord is the record of step in run, started at At(sec) and finished
// five seconds later, with cache key key (may be "") and one file output
// per name in outputs, its digest Digest(run+step+name). A failed task
// exits 1.
func TaskRecord(run, step string, sec int, status string, key core.Digest, outputs ...string) *core.TaskRecord {
	rec := &core.TaskRecord{
		Type: core.TaskType, Run: run, Step: step, Status: status, CacheKey: key,
		Started: At(sec), Finished: At(sec + 5), Outputs: map[string]core.Artifact{},
	}
	if status == core.StatusFailed {
		rec.ExitCode = 1
	}
	for _, o := range outputs {
		rec.Outputs[o] = core.Artifact{Digest: Digest(run + step + o), Kind: core.KindFile}
	}
	return rec
}

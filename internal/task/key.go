package task

import (
	"context"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// KeyType is the "type" of a final cache key document.
const KeyType = "lockstep.cachekey/v2"

// CacheIndex finds an earlier task by its final cache key: the catalog, as
// the executor sees it.
type CacheIndex interface {
	// CacheLookup returns the record of the newest succeeded task with
	// the key, and whether there is one.
	CacheLookup(ctx context.Context, key core.Digest) (core.Digest, bool, error)
}

// FinalKey stores and returns a task's final cache key: the plan key the
// engine computed from what it knows (command, code, inputs, params,
// seed, outputs, settings) and the digest of the environment captured
// here, on the host that runs the task. Two hosts whose environments
// differ never share a key, so never a cached result.
func FinalKey(st *store.Store, plan, env core.Digest) (core.Digest, error) {
	return st.PutJSON(map[string]any{"type": KeyType, "plan": plan, "environment": env})
}

// fromCache returns, for this task, a record reusing the outputs of the
// newest succeeded task with the same final key, when one exists and its
// outputs are all still in the store; nil when the task must run.
func fromCache(ctx context.Context, st *store.Store, cache CacheIndex, s *core.TaskSpec, specDigest core.Digest, key core.Digest) (*core.TaskRecord, error) {
	if cache == nil || s.NoCache {
		return nil, nil
	}
	origin, ok, err := cache.CacheLookup(ctx, key)
	if err != nil || !ok {
		return nil, err
	}
	var old core.TaskRecord
	if err := st.GetJSON(origin, &old); err != nil {
		return nil, nil // a damaged cache entry only costs a re-run
	}
	for _, a := range old.Outputs {
		if !st.Has(a.Digest) {
			return nil, nil
		}
	}
	now := time.Now().UTC()
	rec := old
	rec.Run, rec.Step, rec.Spec, rec.Inputs, rec.PlanKey = s.Run, s.Step, specDigest, s.Inputs, s.PlanKey
	rec.Status, rec.CachedFrom, rec.Started, rec.Finished = core.StatusCached, origin, now, now
	return &rec, nil
}

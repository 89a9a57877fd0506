package server

import (
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"lockstep.dev/lockstep/internal/policy"
)

// Cache remembers policy results by model for a short time, so that the
// pods of one rollout are judged once; concurrent requests for the same
// model share one evaluation. A stored tree is remembered by its digest, a
// model in a registry by its repository and manifest digest (a tag is
// resolved first). Failed evaluations, a registry that could not be read
// among them, are not remembered.
type Cache struct {
	ttl   time.Duration
	now   func() time.Time
	group singleflight.Group
	mu    sync.Mutex
	items map[string]cached
}

type cached struct {
	res     *policy.Result
	expires time.Time
}

// NewCache returns a cache that keeps results for ttl.
func NewCache(ttl time.Duration) *Cache {
	return &Cache{ttl: ttl, now: time.Now, items: map[string]cached{}}
}

func (c *Cache) get(key string, eval func() (*policy.Result, error)) (*policy.Result, error) {
	now := c.now()
	c.mu.Lock()
	if it, ok := c.items[key]; ok && now.Before(it.expires) {
		c.mu.Unlock()
		return it.res, nil
	}
	c.mu.Unlock()
	v, err, _ := c.group.Do(key, func() (any, error) {
		res, err := eval()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for k, it := range c.items {
			if !now.Before(it.expires) {
				delete(c.items, k)
			}
		}
		c.items[key] = cached{res: res, expires: now.Add(c.ttl)}
		return res, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*policy.Result), nil
}

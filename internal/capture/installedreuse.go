package capture

import (
	"sync"
	"time"
)

// reuseWindow is how long one process's tasks share a verification of
// the same interpreter's installed files. Checking them again costs a
// stat of every file (tens of thousands for a machine-learning stack, a
// good part of a second), which every step of a run would otherwise pay.
const reuseWindow = 2 * time.Second

// recent remembers this process's last verification of each interpreter
// (by verification key) and what could have changed the files since: a
// step run outside the sandbox may write wherever its user can, so while
// one runs, and for verifications made before one ended, nothing is
// reused. A confined step sees the interpreter's folders read-only.
var recent struct {
	sync.Mutex
	gen      uint64 // bumped when an unconfined step starts and when it ends
	running  int    // unconfined steps running now
	verified map[string]recentCheck
}

// recentCheck is one remembered verification.
type recentCheck struct {
	at  time.Time
	gen uint64
	res installedResult
}

// UnconfinedStep tells capture that a step is about to run without the
// sandbox; call the function it returns once the step has ended. Until
// then, and for every verification made before it ended, installed files
// are verified again rather than taken from a recent check.
func UnconfinedStep() (ended func()) {
	recent.Lock()
	recent.gen++
	recent.running++
	recent.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			recent.Lock()
			recent.gen++
			recent.running--
			recent.Unlock()
		})
	}
}

// generation returns the current generation, to be passed to
// rememberVerified by a verification that starts now.
func generation() uint64 {
	recent.Lock()
	defer recent.Unlock()
	return recent.gen
}

// recentlyVerified returns the result of a verification of key made by
// this process within reuseWindow, when nothing could have changed the
// files since.
func recentlyVerified(key string, now time.Time) (installedResult, bool) {
	recent.Lock()
	defer recent.Unlock()
	c, ok := recent.verified[key]
	if !ok || recent.running > 0 || c.gen != recent.gen || now.Sub(c.at) >= reuseWindow || now.Before(c.at) {
		return installedResult{}, false
	}
	return c.res, true
}

// rememberVerified records a verification of key that started at start,
// in generation gen.
func rememberVerified(key string, start time.Time, gen uint64, res installedResult) {
	recent.Lock()
	defer recent.Unlock()
	if recent.verified == nil {
		recent.verified = map[string]recentCheck{}
	}
	recent.verified[key] = recentCheck{at: start, gen: gen, res: res}
}

package capture

import (
	"sync"
	"time"
)

// reuseWindow is how long one process's tasks share what one of them found
// out about the host: a verification of an interpreter's installed files,
// which costs a stat of every file (tens of thousands for a
// machine-learning stack, a good part of a second), or the PATH a confined
// step runs with, which every step of a run would otherwise work out again.
const reuseWindow = 2 * time.Second

// writers counts what could have changed the host's files under this
// process: a step run outside the sandbox may write wherever its user
// can, so while one runs, and for facts found before one ended, nothing is
// reused. A confined step sees the host's folders read-only.
var writers struct {
	sync.Mutex
	gen     uint64 // bumped when an unconfined step starts and when it ends
	running int    // unconfined steps running now
}

// UnconfinedStep tells capture that a step is about to run without the
// sandbox; call the function it returns once the step has ended. Until
// then, and for every fact found before it ended, Recent memos answer
// nothing: installed files are verified again, step paths looked up again.
func UnconfinedStep() (ended func()) {
	writers.Lock()
	writers.gen++
	writers.running++
	writers.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			writers.Lock()
			writers.gen++
			writers.running--
			writers.Unlock()
		})
	}
}

// Moment is when a lookup of a host fact started: the time and how many
// unconfined steps had started or ended by then.
type Moment struct {
	at  time.Time
	gen uint64
}

// Now returns the moment a lookup starts; pass it to Recent.Put with what
// the lookup found.
func Now() Moment {
	writers.Lock()
	defer writers.Unlock()
	return Moment{at: time.Now(), gen: writers.gen}
}

// Recent remembers for a moment (two seconds) host facts this process
// found, by key, and answers them again while nothing could have changed
// them: no unconfined step started or ended since the lookup began, and
// none is running. The zero value is ready to use.
type Recent[T any] struct {
	mu    sync.Mutex
	facts map[string]recentFact[T]
}

// recentFact is one remembered fact.
type recentFact[T any] struct {
	found Moment
	v     T
}

// Get returns the fact remembered under key, if it is still fresh at now.
func (r *Recent[T]) Get(key string, now Moment) (T, bool) {
	r.mu.Lock()
	f, ok := r.facts[key]
	r.mu.Unlock()
	var zero T
	if !ok || now.at.Sub(f.found.at) >= reuseWindow || now.at.Before(f.found.at) || f.found.gen != now.gen {
		return zero, false
	}
	writers.Lock()
	running := writers.running
	writers.Unlock()
	if running > 0 {
		return zero, false
	}
	return f.v, true
}

// Put remembers v under key, as found by a lookup that started at found.
func (r *Recent[T]) Put(key string, found Moment, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.facts == nil {
		r.facts = map[string]recentFact[T]{}
	}
	r.facts[key] = recentFact[T]{found: found, v: v}
}

// age makes every remembered fact older by d (for tests).
func (r *Recent[T]) age(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, f := range r.facts {
		f.found.at = f.found.at.Add(-d)
		r.facts[k] = f
	}
}

// forget drops every remembered fact, as a new process starts (for tests).
func (r *Recent[T]) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.facts)
}

// recentChecks are this process's recent verifications of installed files,
// by verification key.
var recentChecks Recent[installedResult]

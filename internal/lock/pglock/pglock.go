// Package pglock is the store-wide lock across hosts: PostgreSQL advisory
// locks in the database of a team's catalog. A run holds it shared
// (pg_advisory_lock_shared), gc exclusively (pg_advisory_lock), each on a
// session of its own, so gc on one host waits for runs on every other host
// that share the database.
//
// Why advisory locks and not a lease row: the server releases a session's
// locks the moment the session ends, so a killed or crashed holder frees
// the lock at once, with no expiry to tune, no clock to trust and no
// refresh that a stalled process could miss while still writing. What an
// advisory lock cannot say by itself is whether a holder whose session
// was cut (a server restart, a network fault) lost it to gc in between.
// A fencing epoch says that: gc increments it in table lockstep_store_lock
// each time it takes the lock exclusively; a shared holder remembers the
// epoch it saw, checks its session every Interval, and when the session is
// gone takes the lock again on a new one and compares. Same epoch: nobody
// took the lock exclusively in between, and the holder carries on. A new
// epoch (or gc holding the lock now): Held.Err reports the lock lost, and
// the run fails rather than claim objects gc may have removed. An
// exclusive holder whose session breaks reports the loss at once, and gc
// stops before its next removal.
package pglock

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"lockstep.dev/lockstep/internal/lock"
)

// Advisory lock keys: one for the store lock, one that serialises making
// the epoch table.
const (
	storeLockKey int64 = 0x6c6b73746f726521 // "lkstore!"
	tableLockKey int64 = 0x6c6b737461626c65 // "lkstable"
)

// Defaults of a Locker's timing.
const (
	DefaultInterval = time.Second
	DefaultMaxWait  = 30 * time.Second
)

// Locker is the store-wide lock kept in the PostgreSQL database at a URL.
type Locker struct {
	url string
	// Interval is how often a held lock checks that its session lives.
	Interval time.Duration
	// MaxWait is how long a shared holder whose session broke tries to
	// take the lock again before it reports it lost.
	MaxWait time.Duration
}

var _ lock.Locker = (*Locker)(nil)

// New returns the Locker in the database at url (libpq's URL form; the
// libpq environment gives credentials). It connects only when a lock is
// taken.
func New(url string) *Locker {
	return &Locker{url: url, Interval: DefaultInterval, MaxWait: DefaultMaxWait}
}

// Shared implements lock.Locker.
func (l *Locker) Shared(ctx context.Context) (lock.Held, error) {
	return l.take(ctx, false, nil)
}

// Exclusive implements lock.Locker; taking it starts a new epoch.
func (l *Locker) Exclusive(ctx context.Context, waiting func()) (lock.Held, error) {
	return l.take(ctx, true, waiting)
}

// take opens a session, takes the lock on it and starts watching it.
func (l *Locker) take(ctx context.Context, exclusive bool, waiting func()) (lock.Held, error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	h := &held{l: l, exclusive: exclusive, conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	if exclusive {
		err = takeExclusive(ctx, conn, waiting)
		if err == nil {
			err = conn.QueryRow(ctx, "UPDATE lockstep_store_lock SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch").Scan(&h.epoch)
		}
	} else {
		_, err = conn.Exec(ctx, "SELECT pg_advisory_lock_shared($1)", storeLockKey)
		if err == nil {
			h.epoch, err = epoch(ctx, conn)
		}
	}
	if err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("take store lock in %s: %w", l.name(), err)
	}
	go h.watch()
	return h, nil
}

// takeExclusive takes the lock exclusively on conn, calling waiting first
// if it is not free at once.
func takeExclusive(ctx context.Context, conn *pgx.Conn, waiting func()) error {
	var free bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", storeLockKey).Scan(&free); err != nil || free {
		return err
	}
	if waiting != nil {
		waiting()
	}
	_, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", storeLockKey)
	return err
}

// connect opens a session and makes sure the epoch table exists.
func (l *Locker) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, l.url)
	if err != nil {
		return nil, fmt.Errorf("store lock in %s: %w", l.name(), err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", tableLockKey); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS lockstep_store_lock (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);
			INSERT INTO lockstep_store_lock (id, epoch) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`)
		return err
	})
	if err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("store lock in %s: %w", l.name(), err)
	}
	return conn, nil
}

// epoch reads the current fencing epoch.
func epoch(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var e int64
	err := conn.QueryRow(ctx, "SELECT epoch FROM lockstep_store_lock WHERE id = 1").Scan(&e)
	return e, err
}

// name is the database's URL without a password, for messages.
func (l *Locker) name() string {
	u, err := url.Parse(l.url)
	if err != nil {
		return "the catalog database"
	}
	return u.Redacted()
}

// errTakenMeanwhile is wrapped when the lock was taken exclusively while a
// shared holder's session was cut.
var errTakenMeanwhile = errors.New("gc took the store lock while this command's session was cut")

// held is a lock held on a session of its own.
type held struct {
	l         *Locker
	exclusive bool
	epoch     int64 // fencing epoch seen when the lock was taken

	mu   sync.Mutex
	conn *pgx.Conn // nil once lost or unlocked
	err  error     // why the lock was lost

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// watch checks the session every Interval until Unlock.
func (h *held) watch() {
	defer close(h.done)
	t := time.NewTicker(h.l.Interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.check()
		}
	}
}

// check pings the session; if it is gone, an exclusive holder has lost the
// lock, and a shared one takes it again on a new session if the epoch says
// no exclusive holder came in between.
func (h *held) check() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := h.conn.Exec(ctx, "SELECT 1")
	cancel()
	if err == nil {
		return
	}
	h.conn.Close(context.Background())
	h.conn = nil
	if h.exclusive {
		h.err = fmt.Errorf("store lock in %s lost: its session ended (%v)", h.l.name(), err)
		return
	}
	h.conn, h.err = h.l.retake(h.epoch)
	if h.err != nil {
		h.err = fmt.Errorf("store lock in %s lost after its session ended (%v): %w; what was written since may be gone, run it again", h.l.name(), err, h.err)
	}
}

// retake takes the lock shared on a new session, trying for MaxWait, and
// checks that the epoch is still want.
func (l *Locker) retake(want int64) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), l.MaxWait)
	defer cancel()
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
		conn, err := l.connect(ctx)
		if err == nil {
			return conn, l.resume(ctx, conn, want)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the database did not answer for %v: %w", l.MaxWait, err)
		case <-time.After(backoff):
		}
	}
}

// resume takes the lock shared on conn without waiting and checks the
// epoch; on failure it closes conn.
func (l *Locker) resume(ctx context.Context, conn *pgx.Conn, want int64) error {
	var free bool
	err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock_shared($1)", storeLockKey).Scan(&free)
	var now int64
	if err == nil && free {
		now, err = epoch(ctx, conn)
	}
	switch {
	case err != nil:
	case !free:
		err = fmt.Errorf("%w (gc holds it now)", errTakenMeanwhile)
	case now != want:
		err = fmt.Errorf("%w (epoch %d, then %d)", errTakenMeanwhile, want, now)
	}
	if err != nil {
		conn.Close(context.Background())
	}
	return err
}

// Err implements lock.Held.
func (h *held) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// Unlock implements lock.Held: ending the session releases the lock.
func (h *held) Unlock() error {
	h.stopOnce.Do(func() { close(h.stop) })
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn == nil {
		return nil
	}
	err := h.conn.Close(context.Background())
	h.conn = nil
	return err
}

// Package feed runs the one market feed of the deployment: whoever holds the
// PostgreSQL advisory lock runs the provider, batches its ticks, writes them
// with COPY and publishes each batch once on Redis; the others wait to take
// over.
package feed

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// LockKey is the advisory lock that elects the feed leader.
const LockKey int64 = 0x71_6c_69_62_66_65_65_64 // "qlibfeed"

// Leadership holds the advisory lock on a dedicated connection for as long as
// lead runs; the connection is pinged so that a lost lock (connection killed,
// database restarted) stops the leader within one ping interval. A new leader
// waits two ping intervals after taking the lock before it leads, so an old
// leader that has not yet noticed its loss is already stopped.
type Leadership struct {
	pool    *pgxpool.Pool
	key     int64
	retry   time.Duration // how often a follower tries for the lock
	ping    time.Duration // how often the leader checks its connection
	onState func(leader bool)
}

// NewLeadership returns an election on key over pool.
func NewLeadership(pool *pgxpool.Pool, key int64, retry, ping time.Duration, onState func(bool)) *Leadership {
	if onState == nil {
		onState = func(bool) {}
	}
	return &Leadership{pool: pool, key: key, retry: retry, ping: ping, onState: onState}
}

// Run tries for the lock until ctx ends; while it holds it, lead runs with a
// context that is cancelled when the lock is lost or ctx ends. lead's error
// ends the term (the lock is released) and the follower loop resumes.
func (l *Leadership) Run(ctx context.Context, lead func(ctx context.Context) error, onErr func(error)) error {
	for {
		held, err := l.term(ctx, lead)
		if err != nil && ctx.Err() == nil {
			onErr(err)
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := l.retry
		if held {
			wait = l.retry / 4 // a term just ended: let another process try first, briefly
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// term makes one attempt: take the lock, lead, release. held reports whether
// the lock was taken.
func (l *Leadership) term(ctx context.Context, lead func(ctx context.Context) error) (held bool, err error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	// The lock belongs to this session: the connection must not go back to
	// the pool while held, and is closed (releasing the lock) afterwards.
	pc := conn.Hijack()
	defer pc.Close(context.Background())
	if err := pc.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&held); err != nil || !held {
		return false, err
	}
	// A leader whose session was killed keeps running until its next ping
	// fails; wait that long before leading so the two never overlap.
	select {
	case <-ctx.Done():
		return true, nil
	case <-time.After(2 * l.ping):
	}
	l.onState(true)
	defer l.onState(false)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan error, 1)
	pinging := make(chan struct{})
	go func() {
		defer close(pinging)
		t := time.NewTicker(l.ping)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				pctx, pcancel := context.WithTimeout(lctx, l.ping)
				err := pc.Ping(pctx)
				pcancel()
				if err != nil && lctx.Err() == nil {
					lost <- err
					cancel()
					return
				}
			}
		}
	}()
	err = lead(lctx)
	cancel()
	// The connection is the pinger's until it has stopped (pgx connections
	// are not safe for concurrent use): only then unlock and close it.
	<-pinging
	select {
	case perr := <-lost:
		return true, perr
	default:
	}
	if ctx.Err() == nil {
		_, _ = pc.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, l.key)
	}
	return true, err
}

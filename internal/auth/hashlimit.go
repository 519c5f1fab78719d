package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// HashLimiter bounds the password hashes (argon2id, to create or to check a
// password) that run at once in this process. Each one allocates
// DefaultArgon2's 19 MiB, so without a bound 40 parallel sign-ins cost 800 MB;
// with p = 1 a hash is one core's work, so running more hashes than there are
// cores adds memory and latency but no throughput. A caller waits at most a
// short, fixed time for a slot and is then refused: nothing queues without
// bound.
type HashLimiter struct {
	slots    chan struct{}
	wait     time.Duration
	onRefuse func()

	inUse, peak, done atomic.Int64
}

// DefaultHashConcurrency is the default number of hashes at once: one per
// core the Go scheduler uses (GOMAXPROCS). On the 2-vCPU, 2 GB Fly machine
// that is 2 slots, about 40 MB of hashing memory at most.
func DefaultHashConcurrency() int { return max(1, runtime.GOMAXPROCS(0)) }

// NewHashLimiter allows n hashes at once; a caller waits up to wait for a
// slot (zero: not at all). onRefuse, if set, is called for each refusal.
func NewHashLimiter(n int, wait time.Duration, onRefuse func()) *HashLimiter {
	if onRefuse == nil {
		onRefuse = func() {}
	}
	return &HashLimiter{slots: make(chan struct{}, max(1, n)), wait: wait, onRefuse: onRefuse}
}

// hashRetryAfter is the Retry-After of a refusal: a slot frees in tens of
// milliseconds, so a second is a polite pause rather than a real estimate.
const hashRetryAfter = time.Second

var errHashBusy = &apperr.Error{Code: apperr.Unavailable, RetryAfter: hashRetryAfter,
	Message: "The server is busy checking other passwords. Try again in a moment."}

// Do runs f, which hashes, in a slot; when no slot frees within the wait it
// returns an Unavailable error with RetryAfter (503 + Retry-After).
func (l *HashLimiter) Do(ctx context.Context, f func()) error {
	if err := l.acquire(ctx); err != nil {
		return err
	}
	defer l.release()
	f()
	return nil
}

func (l *HashLimiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
	default:
		if err := l.await(ctx); err != nil {
			return err
		}
	}
	n := l.inUse.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return nil
}

func (l *HashLimiter) await(ctx context.Context) error {
	if l.wait <= 0 {
		l.onRefuse()
		return errHashBusy
	}
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-timer.C:
		l.onRefuse()
		return errHashBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *HashLimiter) release() {
	l.inUse.Add(-1)
	l.done.Add(1)
	<-l.slots
}

// Size is the number of slots.
func (l *HashLimiter) Size() int { return cap(l.slots) }

// InUse is the number of hashes running now.
func (l *HashLimiter) InUse() int64 { return l.inUse.Load() }

// Peak is the most hashes that ran at once since the limiter was made.
func (l *HashLimiter) Peak() int64 { return l.peak.Load() }

// Completed is the number of hashes run since the limiter was made.
func (l *HashLimiter) Completed() int64 { return l.done.Load() }

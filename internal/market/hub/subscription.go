package hub

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Subscription is one client's view of the hub. Its buffer is a bit per code:
// an update sets the code's bit, Drain reads the code's newest event, so
// however far behind a client falls it holds at most one pending event per
// code and never more memory than a few words.
//
// The consumer (an SSE handler goroutine) waits on Notify, calls Drain and
// writes what it got; it stops when Done is closed and calls Close when it
// leaves. A subscription is safe for use by that one consumer alongside the
// hub; Drain is not meant to be called from several goroutines at once.
type Subscription struct {
	hub    *Hub
	format Format
	filter []uint64 // code bitset; nil means every code; never changed after Subscribe
	shard  *shard
	notify chan struct{}
	done   chan struct{}

	mu      sync.Mutex
	pending []uint64 // code bitset of updates not yet drained
	since   int64    // hub clock when pending became non-empty; 0 when empty
	cursor  int      // code index where the next DrainN starts
	closed  bool
}

// Notify is signalled (without blocking the hub) when events become pending.
// A signal may be stale; Drain then returns nothing.
func (s *Subscription) Notify() <-chan struct{} { return s.notify }

// Done is closed when the subscription ends: by Close, by the hub dropping a
// subscriber that stopped draining for Options.StallTimeout, or when Run
// returns. A dropped client should end its stream; its EventSource reconnects.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Format is the format the subscription receives.
func (s *Subscription) Format() Format { return s.format }

// Drain appends the pending events to dst and returns it: the newest event
// of each code updated since the last Drain. The events share their bytes
// with every other subscriber; do not modify them.
//
// A buffer reused across Drain calls grows to the number of codes pending
// at once (96 bytes an event); DrainN bounds it.
func (s *Subscription) Drain(dst []Event) []Event { return s.DrainN(dst, math.MaxInt) }

// DrainN is Drain taking at most n events. The rest stay pending and Notify
// is signalled again; successive calls go round the codes, so a busy code
// cannot starve the others.
func (s *Subscription) DrainN(dst []Event, n int) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || n <= 0 || s.since == 0 {
		return dst
	}
	words := len(s.pending)
	first, from := s.cursor/64%words, uint(s.cursor%64)
	for k := 0; k <= words && n > 0; k++ {
		wi := (first + k) % words
		w := s.pending[wi]
		switch k {
		case 0:
			w &= ^uint64(0) << from // the first word from the cursor on
		case words:
			w &^= ^uint64(0) << from // and, last, the part before the cursor
		}
		for ; w != 0 && n > 0; n-- {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			s.pending[wi] &^= 1 << b
			idx := wi*64 + b
			s.cursor = idx + 1
			if snap := s.hub.states[idx].Load(); snap != nil && snap.ev[s.format].frame != nil {
				dst = append(dst, snap.ev[s.format])
			}
		}
	}
	s.since = 0
	for _, w := range s.pending {
		if w != 0 {
			// Left over: the consumer is keeping busy, so the stall clock restarts.
			s.since = s.hub.clock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
			break
		}
	}
	return dst
}

// Close ends the subscription. It is safe to call more than once and after
// the hub dropped the subscriber.
func (s *Subscription) Close() { s.end(false) }

// end closes the subscription once, counting a drop when the hub ends it for stalling.
func (s *Subscription) end(dropped bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.pending = nil
	s.mu.Unlock()
	if s.shard != nil {
		s.shard.remove(s)
	}
	if g := s.hub.opts.SSEConnections; g != nil {
		g.Dec()
	}
	if dropped {
		s.hub.stats.dropped.Add(1)
	}
	close(s.done) // last, so whoever sees Done sees the counts already updated
}

// mark records that the codes in upd (words lo to hi) were updated at now
// and reports whether the subscriber has left events undrained for longer
// than stall. It never blocks beyond the subscription's short critical section.
func (s *Subscription) mark(upd []uint64, lo, hi int, now, stall int64) (stalled bool) {
	if s.filter != nil && !intersects(s.filter, upd, lo, hi) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if len(s.pending) < hi {
		s.pending = append(s.pending, make([]uint64, hi-len(s.pending))...)
	}
	added := false
	for i := lo; i < hi; i++ {
		m := upd[i]
		if s.filter != nil {
			if i >= len(s.filter) {
				break
			}
			m &= s.filter[i]
		}
		if m&^s.pending[i] != 0 {
			added = true
			s.pending[i] |= m
		}
	}
	if s.since == 0 {
		if added {
			s.since = now
			select {
			case s.notify <- struct{}{}:
			default:
			}
		}
		return false
	}
	return now-s.since > stall
}

// stalled reports whether events have waited longer than stall at now.
func (s *Subscription) stalled(now, stall int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed && s.since != 0 && now-s.since > stall
}

func intersects(a, b []uint64, lo, hi int) bool {
	hi = min(hi, len(a))
	for i := lo; i < hi; i++ {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

// numShards spreads subscribers so that a connect storm's Subscribe and Close
// calls contend on different locks. Delivery takes no shard lock at all: it
// reads each shard's copy-on-write slice.
const numShards = 32

// shard is one slice of the subscribers, replaced (never modified) on change.
type shard struct {
	mu   sync.Mutex
	subs atomic.Pointer[[]*Subscription]
}

// add appends s unless the hub has closed, and reports whether it did.
func (sh *shard) add(s *Subscription, closed *atomic.Bool) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if closed.Load() {
		return false
	}
	var old []*Subscription
	if p := sh.subs.Load(); p != nil {
		old = *p
	}
	next := make([]*Subscription, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	sh.subs.Store(&next)
	return true
}

func (sh *shard) remove(s *Subscription) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p := sh.subs.Load()
	if p == nil {
		return
	}
	old := *p
	for i, x := range old {
		if x == s {
			next := make([]*Subscription, 0, len(old)-1)
			next = append(next, old[:i]...)
			next = append(next, old[i+1:]...)
			sh.subs.Store(&next)
			return
		}
	}
}

// load returns the shard's current subscribers; the slice must not be modified.
func (sh *shard) load() []*Subscription {
	if p := sh.subs.Load(); p != nil {
		return *p
	}
	return nil
}

// takeAll empties the shard and returns who was in it.
func (sh *shard) takeAll() []*Subscription {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	subs := sh.load()
	sh.subs.Store(nil)
	return subs
}

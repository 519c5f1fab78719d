// Package hub fans live quotes out to the browsers and programs connected to
// one web machine. One Hub per process subscribes to the Redis quotes channel
// (one message per feed batch, see EncodeBatch), keeps the latest quote per
// code, renders every update once through a Renderer and hands the same
// bytes to every subscriber.
//
// A hub applies only the batches of its own deployment's current feed
// leader (see Source): Redis pub/sub channels are shared by every database
// of a Redis server, and a feed leader that has lost its lock may still
// publish for a moment.
//
// Slow clients never hold the hub up: a subscription buffers at most one
// pending update per code (the newest), and one that leaves updates
// undrained for Options.StallTimeout is dropped. An SSE handler uses it so:
//
//	sub := h.Subscribe(codes, hub.HTML)
//	defer sub.Close()
//	for _, ev := range h.Snapshot(codes, hub.HTML) { hub.WriteSSE(w, ev) }
//	for {
//		select {
//		case <-sub.Notify():
//			evs = sub.DrainN(evs[:0], 64) // the rest stay pending and Notify fires again
//			for _, ev := range evs { hub.WriteSSE(w, ev) }
//			flush; for _, ev := range evs { h.ObserveWritten(ev) }
//		case <-heartbeat.C: hub.WriteComment(w, "ping"); flush
//		case <-sub.Done(): return
//		case <-ctx.Done(): return
//		}
//	}
//
// Subscribing before taking the snapshot means no update falls between them.
// Give each write a deadline (http.ResponseController.SetWriteDeadline): a
// handler stuck writing to a dead peer stops draining and is dropped, but it
// only notices Done once its write returns.
package hub

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/market"
)

// Renderer turns a quote update into the bytes subscribers receive. The hub
// calls it from one goroutine at a time and keeps the returned slices, so
// each call must return a fresh slice.
type Renderer interface {
	// QuoteHTML returns the HTML fragment that replaces the quote's row (rendered once per update,
	// shared by every subscriber); QuoteJSON the compact JSON programs and charts receive.
	QuoteHTML(q market.Quote, prev market.Quote) ([]byte, error)
	QuoteJSON(q market.Quote, last market.Tick) ([]byte, error)
}

// Options tunes a Hub. The zero value is usable.
type Options struct {
	// StallTimeout is how long a subscriber may leave updates undrained
	// before the hub drops it (default 10 s).
	StallTimeout time.Duration
	// SweepInterval is how often Run looks for stalled subscribers between
	// updates (default StallTimeout/4).
	SweepInterval time.Duration
	// MaxCodes bounds the codes the hub tracks (default 4096); ticks for
	// further codes are ignored and counted in Stats.Overflow.
	MaxCodes int
	// ReconnectMin and ReconnectMax bound the backoff between attempts to
	// resubscribe after Redis drops (defaults 100 ms and 5 s).
	ReconnectMin, ReconnectMax time.Duration
	// HealthCheck is how long the channel may stay silent before the hub pings
	// Redis; no answer within another HealthCheck means reconnect (default 15 s).
	HealthCheck time.Duration
	// Now is the clock tick times are on, for market_data_latency_seconds:
	// the session clock's time when a simulated feed stamps ticks with
	// session times (default time.Now).
	Now func() time.Time

	SSEConnections prometheus.Gauge       // sse_connections_active; nil to skip
	MarketLatency  prometheus.Histogram   // market_data_latency_seconds; nil to skip
	BatchesIgnored *prometheus.CounterVec // hub_batches_ignored_total{reason}; nil to skip
	Logger         *slog.Logger           // nil discards
}

func (o Options) withDefaults() Options {
	if o.StallTimeout <= 0 {
		o.StallTimeout = 10 * time.Second
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = o.StallTimeout / 4
	}
	if o.MaxCodes <= 0 {
		o.MaxCodes = 4096
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = 100 * time.Millisecond
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = max(5*time.Second, o.ReconnectMin)
	}
	if o.HealthCheck <= 0 {
		o.HealthCheck = 15 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Hub is the process's live quote state and subscriber set. Create it with
// New, Seed it, start Run once; every other method is safe to call from any
// goroutine at any time.
type Hub struct {
	rdb        *redis.Client
	channel    string
	deployment string
	render     Renderer
	opts       Options
	origin     time.Time // hub clock origin (monotonic)

	// The epoch of the feed leader followed, and when each kind of ignored
	// batch was last logged; written only by Run's goroutine (follow).
	leader atomic.Int64
	warned [numReasons]time.Time

	// Code table: index by name, and per index the latest state. states has
	// MaxCodes entries from the start, so readers index it without a lock.
	codesMu   sync.RWMutex
	index     map[string]int
	names     []string // by index
	htmlNames []string // by index
	states    []atomic.Pointer[codeSnap]

	shards  [numShards]shard
	nextSub atomic.Uint32
	closed  atomic.Bool
	started atomic.Bool
	stats   counters

	// mu serialises updates (batches, Seed) and guards the fields below.
	mu      sync.Mutex
	nextID  uint64
	onTicks []func([]market.Tick)
	work    batchWork
}

// codeSnap is one code's state after an update; replaced, never modified.
type codeSnap struct {
	quote market.Quote
	ev    [numFormats]Event
}

// New returns a hub that will follow channel on rdb, applying the batches
// that deployment's feed leader publishes there, and render with render.
func New(rdb *redis.Client, channel, deployment string, render Renderer, opts Options) *Hub {
	opts = opts.withDefaults()
	if c := opts.BatchesIgnored; c != nil {
		for _, r := range ignoreReasons {
			c.WithLabelValues(r) // exported at 0 before the first is ignored
		}
	}
	return &Hub{
		rdb:        rdb,
		channel:    channel,
		deployment: deployment,
		render:     render,
		opts:       opts,
		origin:     time.Now(),
		index:      make(map[string]int),
		states:     make([]atomic.Pointer[codeSnap], opts.MaxCodes),
		work:       batchWork{pos: make(map[int]int)},
	}
}

// clock is the hub's monotonic time in nanoseconds, never 0.
func (h *Hub) clock() int64 { return int64(time.Since(h.origin)) + 1 }

// lookup returns code's index if the hub knows it.
func (h *Hub) lookup(code string) (int, bool) {
	h.codesMu.RLock()
	idx, ok := h.index[code]
	h.codesMu.RUnlock()
	return idx, ok
}

// intern returns code's index, adding the code if it is valid and there is room.
func (h *Hub) intern(code string) (int, bool) {
	if idx, ok := h.lookup(code); ok {
		return idx, true
	}
	if !ValidCode(code) {
		return 0, false
	}
	h.codesMu.Lock()
	defer h.codesMu.Unlock()
	if idx, ok := h.index[code]; ok {
		return idx, true
	}
	if len(h.names) >= len(h.states) {
		h.stats.overflow.Add(1)
		return 0, false
	}
	idx := len(h.names)
	h.index[code] = idx
	h.names = append(h.names, code)
	h.htmlNames = append(h.htmlNames, HTMLEventName(code))
	return idx, true
}

// OnTicks registers fn to receive every batch the hub applies (decoded, and
// from its deployment's current feed leader), after the hub has
// updated its quotes and notified subscribers. fn runs on the hub's goroutine
// and delays the next batch, so it must be fast (hand work to a channel);
// it must not modify the slice, which every callback shares.
func (h *Hub) OnTicks(fn func([]market.Tick)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.onTicks = append(h.onTicks, fn)
}

// Subscribe adds a subscriber for codes (nil or empty: every code, including
// codes first seen later) in format. Codes the hub does not know — neither
// seeded nor seen in a tick — are ignored, so a list of only such codes
// subscribes to nothing; clients therefore cannot fill the code table, and
// Seed should cover every listed instrument. After Run has returned the
// subscription comes back already done.
func (h *Hub) Subscribe(codes []string, format Format) *Subscription {
	s := &Subscription{
		hub:    h,
		format: format % numFormats,
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	if len(codes) > 0 {
		s.filter = []uint64{}
		for _, c := range codes {
			if idx, ok := h.lookup(c); ok {
				s.filter = setBit(s.filter, idx)
			}
		}
	}
	// Sized now, so that the hub's delivery loop does not allocate it.
	h.codesMu.RLock()
	s.pending = make([]uint64, (len(h.names)+63)/64)
	h.codesMu.RUnlock()
	sh := &h.shards[h.nextSub.Add(1)%numShards]
	if !sh.add(s, &h.closed) {
		s.closed = true
		close(s.done)
		return s
	}
	s.shard = sh
	if g := h.opts.SSEConnections; g != nil {
		g.Inc()
	}
	return s
}

func setBit(set []uint64, idx int) []uint64 {
	for len(set) <= idx/64 {
		set = append(set, 0)
	}
	set[idx/64] |= 1 << (idx % 64)
	return set
}

// Quote returns the latest quote for code.
func (h *Hub) Quote(code string) (market.Quote, bool) {
	idx, ok := h.lookup(code)
	if !ok {
		return market.Quote{}, false
	}
	if snap := h.states[idx].Load(); snap != nil {
		return snap.quote, true
	}
	return market.Quote{}, false
}

// Quotes returns every quote the hub holds, ordered by code.
func (h *Hub) Quotes() []market.Quote {
	var out []market.Quote
	for _, idx := range h.indexes(nil) {
		if snap := h.states[idx].Load(); snap != nil {
			out = append(out, snap.quote)
		}
	}
	return out
}

// Snapshot returns the current event of each of codes (nil or empty: every
// code, ordered by code) in format, skipping codes without a quote: what a
// client needs on connecting or reconnecting (whatever its Last-Event-ID, the
// full current state is the safe answer, and it is one row per code).
// TickTime is zero in snapshot events so that ObserveWritten leaves them out
// of the latency metric.
func (h *Hub) Snapshot(codes []string, format Format) []Event {
	format %= numFormats
	idxs := h.indexes(codes)
	out := make([]Event, 0, len(idxs))
	for _, idx := range idxs {
		if snap := h.states[idx].Load(); snap != nil && snap.ev[format].frame != nil {
			ev := snap.ev[format]
			ev.TickTime = time.Time{}
			out = append(out, ev)
		}
	}
	return out
}

// indexes returns the indexes of the known codes among codes, in order and
// without repeats, or of every known code ordered by code when codes is empty.
func (h *Hub) indexes(codes []string) []int {
	h.codesMu.RLock()
	defer h.codesMu.RUnlock()
	if len(codes) == 0 {
		names := slices.Clone(h.names)
		slices.Sort(names)
		idxs := make([]int, len(names))
		for i, n := range names {
			idxs[i] = h.index[n]
		}
		return idxs
	}
	idxs := make([]int, 0, len(codes))
	for _, c := range codes {
		if idx, ok := h.index[c]; ok && !slices.Contains(idxs, idx) {
			idxs = append(idxs, idx)
		}
	}
	return idxs
}

// ObserveWritten records market_data_latency_seconds for an event just
// written to a client: now minus the tick's exchange time. Snapshot events
// (zero TickTime) are skipped.
func (h *Hub) ObserveWritten(ev Event) {
	if h.opts.MarketLatency == nil || ev.TickTime.IsZero() {
		return
	}
	now := time.Now()
	if h.opts.Now != nil {
		now = h.opts.Now()
	}
	h.opts.MarketLatency.Observe(max(now.Sub(ev.TickTime), 0).Seconds())
}

// counters are the hub's running totals, read by Stats.
type counters struct {
	batches, ticks, decodeErrors, renderErrors atomic.Uint64
	lastBatch                                  atomic.Int64 // Unix nanoseconds of the last batch applied
	dropped, reconnects, overflow              atomic.Uint64
	ignored                                    [numReasons]atomic.Uint64
}

// Stats is a snapshot of the hub's counters.
type Stats struct {
	Subscribers  int    // open subscriptions
	Codes        int    // codes tracked
	Batches      uint64 // batches applied (from Redis)
	Ticks        uint64 // ticks in those batches
	DecodeErrors uint64 // channel messages that did not decode
	RenderErrors uint64 // renderer failures (the previous event is kept)
	Dropped      uint64 // subscribers dropped for stalling
	Reconnects   uint64 // times the channel subscription was lost and retried
	Overflow     uint64 // codes refused because MaxCodes was reached

	Epoch             int64     // epoch of the feed leader followed (0 before the first batch)
	IgnoredDeployment uint64    // batches from another deployment, ignored
	IgnoredStale      uint64    // batches from an older feed leader than Epoch, ignored
	LastBatch         time.Time // when the last batch was applied (zero: none yet)
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	n := 0
	for i := range h.shards {
		n += len(h.shards[i].load())
	}
	h.codesMu.RLock()
	codes := len(h.names)
	h.codesMu.RUnlock()
	return Stats{
		Subscribers:  n,
		Codes:        codes,
		Batches:      h.stats.batches.Load(),
		Ticks:        h.stats.ticks.Load(),
		DecodeErrors: h.stats.decodeErrors.Load(),
		RenderErrors: h.stats.renderErrors.Load(),
		Dropped:      h.stats.dropped.Load(),
		Reconnects:   h.stats.reconnects.Load(),
		Overflow:     h.stats.overflow.Load(),

		Epoch:             h.leader.Load(),
		IgnoredDeployment: h.stats.ignored[ignoredDeployment].Load(),
		IgnoredStale:      h.stats.ignored[ignoredStale].Load(),
		LastBatch:         unixNano(h.stats.lastBatch.Load()),
	}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

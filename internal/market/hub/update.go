package hub

import (
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

// batchWork is scratch space reused by every update, guarded by Hub.mu.
type batchWork struct {
	pos     map[int]int // code index → position in updates
	updates []codeUpdate
	bits    []uint64 // codes updated in this batch
	lo, hi  int      // words of bits in use
}

// codeUpdate is one code's change within a batch.
type codeUpdate struct {
	idx     int
	prev, q market.Quote
	last    market.Tick
	old     *codeSnap
}

func (w *batchWork) reset() {
	clear(w.pos)
	w.updates = w.updates[:0]
	for i := w.lo; i < w.hi; i++ {
		w.bits[i] = 0
	}
	w.lo, w.hi = 0, 0
}

func (w *batchWork) set(idx int) {
	word := idx / 64
	for len(w.bits) <= word {
		w.bits = append(w.bits, 0)
	}
	if w.lo == w.hi {
		w.lo, w.hi = word, word+1
	}
	w.lo, w.hi = min(w.lo, word), max(w.hi, word+1)
	w.bits[word] |= 1 << (idx % 64)
}

// update returns the batch's entry for code idx, starting it from the current state.
func (h *Hub) update(idx int) *codeUpdate {
	w := &h.work
	if p, ok := w.pos[idx]; ok {
		return &w.updates[p]
	}
	w.pos[idx] = len(w.updates)
	u := codeUpdate{idx: idx, old: h.states[idx].Load()}
	if u.old != nil {
		u.prev, u.q = u.old.quote, u.old.quote
	}
	w.updates = append(w.updates, u)
	return &w.updates[len(w.updates)-1]
}

// applyBatch folds a decoded batch into the quotes, renders each changed code
// once, notifies subscribers and then runs the OnTicks callbacks.
func (h *Hub) applyBatch(ticks []market.Tick) {
	h.mu.Lock()
	h.work.reset()
	for _, t := range ticks {
		idx, ok := h.intern(t.Code)
		if !ok {
			continue
		}
		u := h.update(idx)
		if q := u.q.Apply(t); q != u.q {
			u.q, u.last = q, t
		}
	}
	for i := range h.work.updates {
		u := &h.work.updates[i]
		if u.q != u.prev {
			h.publish(u)
		}
	}
	h.deliver()
	h.stats.ticks.Add(uint64(len(ticks)))
	h.stats.lastBatch.Store(time.Now().UnixNano())
	h.stats.batches.Add(1) // after delivery, so a caller who sees the count sees the batch's events
	callbacks := h.onTicks
	h.mu.Unlock()
	for _, fn := range callbacks {
		fn(ticks)
	}
}

// Seed sets quotes wholesale — typically the session's opening state with
// PrevClose from the database, before Run — and notifies subscribers like
// any update. Quotes with invalid codes are skipped.
func (h *Hub) Seed(quotes []market.Quote) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.work.reset()
	for _, q := range quotes {
		idx, ok := h.intern(q.Code)
		if !ok {
			h.opts.Logger.Warn("hub: seed quote skipped", "code", q.Code)
			continue
		}
		u := h.update(idx)
		u.q = q
		// A seeded quote has no tick behind it; the JSON renderer gets a quote-only one.
		u.last = market.Tick{Time: q.Time, Code: q.Code, Price: q.Last, Bid: q.Bid, Ask: q.Ask, Seq: q.Seq, Kind: market.QuoteOnly}
		if u.old == nil {
			u.prev = q
		}
	}
	for i := range h.work.updates {
		h.publish(&h.work.updates[i])
	}
	h.deliver()
}

// publish renders u once per format and makes it the code's current state.
// A format whose rendering fails keeps its previous event.
func (h *Hub) publish(u *codeUpdate) {
	h.nextID++
	id := h.nextID
	h.codesMu.RLock()
	htmlName := h.htmlNames[u.idx]
	h.codesMu.RUnlock()
	snap := &codeSnap{quote: u.q}
	if u.old != nil {
		snap.ev = u.old.ev
	}
	if b, err := h.render.QuoteHTML(u.q, u.prev); err != nil {
		h.renderFailed(u.q.Code, HTML, err)
	} else {
		snap.ev[HTML] = newEvent(id, htmlName, b, u.q.Time)
	}
	if b, err := h.render.QuoteJSON(u.q, u.last); err != nil {
		h.renderFailed(u.q.Code, JSON, err)
	} else {
		snap.ev[JSON] = newEvent(id, JSONEventName, b, u.q.Time)
	}
	h.states[u.idx].Store(snap)
	h.work.set(u.idx)
}

func (h *Hub) renderFailed(code string, f Format, err error) {
	h.stats.renderErrors.Add(1)
	h.opts.Logger.Error("hub: render quote", "code", code, "format", f.String(), "err", err)
}

// deliver marks the batch's codes on every subscriber and drops the ones
// that have stalled. Delivery reads each shard's copy-on-write slice, so
// Subscribe and Close never wait for it, nor it for them.
func (h *Hub) deliver() {
	w := &h.work
	if w.lo == w.hi {
		return
	}
	now, stall := h.clock(), int64(h.opts.StallTimeout)
	var stalled []*Subscription
	for i := range h.shards {
		for _, s := range h.shards[i].load() {
			if s.mark(w.bits, w.lo, w.hi, now, stall) {
				stalled = append(stalled, s)
			}
		}
	}
	h.drop(stalled)
}

// sweep drops subscribers that stalled while no updates arrived.
func (h *Hub) sweep() {
	now, stall := h.clock(), int64(h.opts.StallTimeout)
	var stalled []*Subscription
	for i := range h.shards {
		for _, s := range h.shards[i].load() {
			if s.stalled(now, stall) {
				stalled = append(stalled, s)
			}
		}
	}
	h.drop(stalled)
}

func (h *Hub) drop(stalled []*Subscription) {
	for _, s := range stalled {
		h.opts.Logger.Info("hub: dropped a stalled subscriber", "format", s.format.String(),
			"stall_timeout", h.opts.StallTimeout)
		s.end(true)
	}
}

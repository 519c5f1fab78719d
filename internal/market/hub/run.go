package hub

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// errRunTwice is returned by a second call of Run.
var errRunTwice = errors.New("hub: Run called twice")

// errNoPong means Redis did not answer a health-check ping.
var errNoPong = errors.New("hub: redis did not answer a ping on the quotes channel")

// Run follows the quotes channel until ctx ends, then closes every
// subscription and returns nil. When the connection drops it resubscribes
// with exponential backoff (ReconnectMin doubling to ReconnectMax, with
// jitter); batches published meanwhile are lost, and each code catches up
// with its next tick. Run may be called once.
//
// go-redis's PubSub.Channel would also reconnect, but it retries every 100 ms
// without backoff and drops messages silently when its buffer stays full, so
// the hub reads with ReceiveTimeout and manages the session itself.
func (h *Hub) Run(ctx context.Context) error {
	if !h.started.CompareAndSwap(false, true) {
		return errRunTwice
	}
	var wg sync.WaitGroup
	wg.Go(func() { h.sweepLoop(ctx) })
	defer func() {
		wg.Wait()
		h.shutdown()
	}()

	delay := h.opts.ReconnectMin
	for {
		subscribed, err := h.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		h.stats.reconnects.Add(1)
		if subscribed {
			delay = h.opts.ReconnectMin
		}
		wait := delay/2 + rand.N(delay/2+1)
		h.opts.Logger.Warn("hub: quotes channel lost; resubscribing", "channel", h.channel, "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(delay*2, h.opts.ReconnectMax)
	}
}

// session subscribes once and applies batches until the connection fails or
// ctx ends. subscribed reports whether Redis confirmed the subscription.
func (h *Hub) session(ctx context.Context) (subscribed bool, err error) {
	ps := h.rdb.Subscribe(ctx, h.channel)
	defer ps.Close()
	// A blocked read ignores ctx; closing the PubSub ends it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()

	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, h.opts.HealthCheck)
		if err != nil {
			if ctx.Err() != nil {
				return subscribed, ctx.Err()
			}
			if !isTimeout(err) {
				return subscribed, err
			}
			if pinged {
				return subscribed, errNoPong
			}
			if err := ps.Ping(ctx); err != nil {
				return subscribed, err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == h.channel {
				subscribed = true
				h.opts.Logger.Info("hub: subscribed to the quotes channel", "channel", h.channel)
			}
		case *redis.Message:
			h.handleMessage(m.Payload)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handleMessage decodes one channel message and applies it if it comes from
// the feed leader the hub follows.
func (h *Hub) handleMessage(payload string) {
	src, ticks, err := DecodeBatch([]byte(payload))
	if err != nil {
		h.stats.decodeErrors.Add(1)
		h.opts.Logger.Warn("hub: undecodable message on the quotes channel", "channel", h.channel,
			"bytes", len(payload), "err", err)
		return
	}
	if !h.follow(src) {
		return
	}
	h.applyBatch(ticks)
}

func (h *Hub) sweepLoop(ctx context.Context) {
	t := time.NewTicker(h.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.sweep()
		}
	}
}

// shutdown refuses new subscribers and ends the current ones.
func (h *Hub) shutdown() {
	h.closed.Store(true)
	for i := range h.shards {
		for _, s := range h.shards[i].takeAll() {
			s.end(false)
		}
	}
}

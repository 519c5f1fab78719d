package hub

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// rowRenderer renders a quote as a one-line table row and as short JSON,
// like the real views but without templ, and remembers what it was given.
type rowRenderer struct {
	mu    sync.Mutex
	prevs map[string]market.Quote // last prev passed to QuoteHTML, by code
	fail  map[string]bool         // codes whose rendering fails
}

func (r *rowRenderer) QuoteHTML(q, prev market.Quote) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[q.Code] {
		return nil, fmt.Errorf("render %s failed", q.Code)
	}
	if r.prevs == nil {
		r.prevs = make(map[string]market.Quote)
	}
	r.prevs[q.Code] = prev
	b := make([]byte, 0, 160)
	b = append(b, `<tr id="quote-`...)
	b = append(b, q.Code...)
	b = append(b, `"><td>`...)
	b = strconv.AppendFloat(b, q.Last, 'f', -1, 64)
	b = append(b, `</td><td>`...)
	b = strconv.AppendFloat(b, q.Change(), 'f', 3, 64)
	b = append(b, `</td><td>`...)
	b = strconv.AppendInt(b, q.Volume, 10)
	return append(b, `</td></tr>`...), nil
}

func (r *rowRenderer) QuoteJSON(q market.Quote, last market.Tick) ([]byte, error) {
	b := make([]byte, 0, 96)
	b = append(b, `{"c":"`...)
	b = append(b, q.Code...)
	b = append(b, `","p":`...)
	b = strconv.AppendFloat(b, q.Last, 'f', -1, 64)
	b = append(b, `,"s":`...)
	b = strconv.AppendInt(b, last.Size, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, last.Time.Unix(), 10)
	return append(b, '}'), nil
}

func (r *rowRenderer) prev(code string) market.Quote {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.prevs[code]
}

// testHub is a running hub on real Redis with its own channel and gauge.
type testHub struct {
	*Hub
	rdb     *redis.Client
	channel string
	gauge   prometheus.Gauge
	render  *rowRenderer
	cancel  context.CancelFunc
	runErr  chan error
	seq     int64
}

// mustStartHub starts a hub on a fresh channel and waits until Redis has it subscribed.
func mustStartHub(t *testing.T, opts Options) *testHub {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	th := &testHub{
		rdb:     rdb,
		channel: prefix + "quotes",
		gauge:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "sse_connections_active"}),
		render:  &rowRenderer{},
		runErr:  make(chan error, 1),
	}
	if opts.SSEConnections == nil {
		opts.SSEConnections = th.gauge
	}
	th.Hub = New(rdb, th.channel, testSource.Deployment, th.render, opts)
	ctx, cancel := context.WithCancel(context.Background())
	th.cancel = cancel
	go func() { th.runErr <- th.Run(ctx) }()
	t.Cleanup(th.stop)
	mustWaitSubscribed(t, rdb, th.channel)
	return th
}

// stop cancels Run and waits for it; safe to call twice.
func (th *testHub) stop() {
	th.cancel()
	if th.runErr != nil {
		<-th.runErr
		th.runErr = nil
	}
}

func mustWaitSubscribed(t *testing.T, rdb *redis.Client, channel string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n, err := rdb.PubSubNumSub(context.Background(), channel).Result()
		if err != nil {
			t.Fatalf("PUBSUB NUMSUB: %v", err)
		}
		if n[channel] > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("hub did not subscribe to %s within 5s", channel)
}

// tick returns a trade for code at price with the next sequence number.
func (th *testHub) tick(code string, price float64) market.Tick {
	th.seq++
	return market.Tick{Time: time.Now().UTC(), Code: code, Price: price, Size: 100,
		Bid: price - 0.01, Ask: price + 0.01, Seq: th.seq, Kind: market.Trade}
}

// mustPublish encodes ticks and publishes them as one batch from testSource.
func (th *testHub) mustPublish(t *testing.T, ticks ...market.Tick) {
	t.Helper()
	th.mustPublishFrom(t, testSource, ticks...)
}

// mustPublishFrom encodes ticks and publishes them as one batch from src.
func (th *testHub) mustPublishFrom(t *testing.T, src Source, ticks ...market.Tick) {
	t.Helper()
	b, err := EncodeBatch(src, ticks)
	if err != nil {
		t.Fatalf("EncodeBatch: %v", err)
	}
	if err := th.rdb.Publish(context.Background(), th.channel, b).Err(); err != nil {
		t.Fatalf("PUBLISH: %v", err)
	}
}

// mustWaitBatches waits until the hub has applied n batches in all.
func (th *testHub) mustWaitBatches(t *testing.T, n uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for th.Stats().Batches < n {
		if time.Now().After(deadline) {
			t.Fatalf("hub applied %d batches, want %d", th.Stats().Batches, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mustNext waits for the next non-empty Drain of sub.
func mustNext(t *testing.T, sub *Subscription, within time.Duration) []Event {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case <-sub.Notify():
			if evs := sub.Drain(nil); len(evs) > 0 {
				return evs
			}
		case <-sub.Done():
			t.Fatal("subscription ended while waiting for events")
		case <-timer.C:
			t.Fatalf("no event within %v", within)
		}
	}
}

// names returns the event names of evs.
func names(evs []Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Name
	}
	return out
}

// gaugeValue reads a gauge's current value.
func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

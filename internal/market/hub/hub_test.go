package hub

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/internal/market"
)

func TestPublishReachesSubscriber(t *testing.T) {
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "market_data_latency_seconds"})
	th := mustStartHub(t, Options{MarketLatency: latency})
	sub := th.Subscribe(nil, HTML)
	defer sub.Close()

	start := time.Now()
	th.mustPublish(t, th.tick("BHP", 45.67))
	evs := mustNext(t, sub, time.Second)
	elapsed := time.Since(start)
	t.Logf("PUBLISH to Drain: %v", elapsed)
	if elapsed > 250*time.Millisecond {
		t.Errorf("event took %v, want well under a second", elapsed)
	}
	if got, want := names(evs), []string{"quote-BHP"}; !slices.Equal(got, want) {
		t.Fatalf("names = %q, want %q", got, want)
	}
	if got, want := string(evs[0].Data), `<tr id="quote-BHP"><td>45.67</td>`; !strings.HasPrefix(got, want) {
		t.Errorf("data = %q, want prefix %q", got, want)
	}
	var sb strings.Builder
	if err := WriteSSE(&sb, evs[0]); err != nil {
		t.Fatal(err)
	}
	if got, want := sb.String(), "id: 1\nevent: quote-BHP\ndata: <tr"; !strings.HasPrefix(got, want) {
		t.Errorf("SSE = %q, want prefix %q", got, want)
	}

	th.ObserveWritten(evs[0])
	for _, ev := range th.Snapshot(nil, HTML) {
		th.ObserveWritten(ev) // snapshot events are not live: not observed
	}
	var m dto.Metric
	if err := latency.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got, want := m.GetHistogram().GetSampleCount(), uint64(1); got != want {
		t.Errorf("latency samples = %d, want %d", got, want)
	}
}

func TestCoalescing(t *testing.T) {
	th := mustStartHub(t, Options{})
	th.Seed([]market.Quote{{Code: "BHP", Last: 40, PrevClose: 40, Time: t0}}) // event id 1
	sub := th.Subscribe([]string{"BHP"}, JSON)
	defer sub.Close()

	for i := 1; i <= 100; i++ {
		th.mustPublish(t, th.tick("BHP", 40+float64(i)/100))
	}
	th.mustWaitBatches(t, 100)
	evs := sub.Drain(nil)
	if len(evs) != 1 {
		t.Fatalf("Drain gave %d events, want 1: %q", len(evs), names(evs))
	}
	if got, want := string(evs[0].Data), `{"c":"BHP","p":41,`; !strings.HasPrefix(got, want) {
		t.Errorf("data = %q, want the latest price: prefix %q", got, want)
	}
	if got, want := evs[0].ID, uint64(101); got != want {
		t.Errorf("ID = %d, want %d", got, want)
	}
	if got := sub.Drain(nil); len(got) != 0 {
		t.Errorf("second Drain gave %d events, want 0", len(got))
	}
	q, ok := th.Quote("BHP")
	if !ok || q.Volume != 100*100 || q.Trades != 100 || q.Last != 41 {
		t.Errorf("Quote = %+v, %v; want 100 trades of 100 shares, last 41", q, ok)
	}
}

func TestStalledSubscriberDropped(t *testing.T) {
	const stall = 300 * time.Millisecond
	th := mustStartHub(t, Options{StallTimeout: stall, SweepInterval: 20 * time.Millisecond})
	stalled := th.Subscribe(nil, HTML) // never drained
	healthy := th.Subscribe(nil, HTML)
	if got, want := gaugeValue(t, th.gauge), 2.0; got != want {
		t.Fatalf("gauge = %v, want %v", got, want)
	}

	// The healthy consumer reports how long each batch took to reach it.
	lat := make(chan time.Duration, 100)
	go func() {
		var evs []Event
		for {
			select {
			case <-healthy.Notify():
				evs = healthy.Drain(evs[:0])
				for _, ev := range evs {
					lat <- time.Since(ev.TickTime)
				}
			case <-healthy.Done():
				close(lat)
				return
			}
		}
	}()

	start := time.Now()
	var worst time.Duration
	for i := 0; time.Since(start) < 2*stall; i++ {
		th.mustPublish(t, th.tick("BHP", 40+float64(i)/100))
		select {
		case d := <-lat:
			worst = max(worst, d)
		case <-time.After(time.Second):
			t.Fatalf("batch %d did not reach the healthy subscriber within 1s", i)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("healthy subscriber: worst tick-to-drain latency %v", worst)
	if worst > 200*time.Millisecond {
		t.Errorf("healthy subscriber's worst latency = %v, want well under a second", worst)
	}

	select {
	case <-stalled.Done():
	default:
		t.Fatalf("stalled subscriber not dropped after %v (stall timeout %v)", time.Since(start), stall)
	}
	if got := stalled.Drain(nil); len(got) != 0 {
		t.Errorf("Drain after drop gave %d events, want 0", len(got))
	}
	if got, want := gaugeValue(t, th.gauge), 1.0; got != want {
		t.Errorf("gauge after drop = %v, want %v", got, want)
	}
	stalled.Close() // after a drop: no second decrement
	healthy.Close()
	healthy.Close()
	if got, want := gaugeValue(t, th.gauge), 0.0; got != want {
		t.Errorf("gauge after Close = %v, want %v", got, want)
	}
	if got, want := th.Stats().Dropped, uint64(1); got != want {
		t.Errorf("Dropped = %d, want %d", got, want)
	}
}

func TestStalledSubscriberSwept(t *testing.T) {
	const stall = 100 * time.Millisecond
	th := mustStartHub(t, Options{StallTimeout: stall, SweepInterval: 10 * time.Millisecond})
	th.Seed([]market.Quote{{Code: "CBA", Last: 120, Time: t0}})
	sub := th.Subscribe([]string{"CBA"}, JSON)
	th.mustPublish(t, th.tick("CBA", 120))
	start := time.Now()
	select {
	case <-sub.Done(): // no further updates: the sweep drops it
		if d := time.Since(start); d < stall {
			t.Errorf("dropped after %v, before the stall timeout %v", d, stall)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("stalled subscriber not dropped by the sweep")
	}
	if got, want := gaugeValue(t, th.gauge), 0.0; got != want {
		t.Errorf("gauge = %v, want %v", got, want)
	}
}

func TestSnapshot(t *testing.T) {
	th := mustStartHub(t, Options{})
	th.mustPublish(t, th.tick("WES", 60), th.tick("BHP", 45), th.tick("CBA", 120))
	th.mustPublish(t, th.tick("BHP", 46), th.tick("BHP", 46.5))
	th.mustWaitBatches(t, 2)

	tests := []struct {
		name   string
		codes  []string
		format Format
		want   []string // event data prefixes
	}{
		{"AllByCode", nil, JSON, []string{`{"c":"BHP","p":46.5`, `{"c":"CBA","p":120`, `{"c":"WES","p":60`}},
		{"GivenOrder", []string{"WES", "XYZ", "BHP", "WES"}, JSON, []string{`{"c":"WES"`, `{"c":"BHP","p":46.5`}},
		{"HTML", []string{"BHP"}, HTML, []string{`<tr id="quote-BHP"><td>46.5<`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := th.Snapshot(tt.codes, tt.format)
			if len(evs) != len(tt.want) {
				t.Fatalf("got %d events %q, want %d", len(evs), names(evs), len(tt.want))
			}
			for i, ev := range evs {
				if !strings.HasPrefix(string(ev.Data), tt.want[i]) {
					t.Errorf("event %d data = %q, want prefix %q", i, ev.Data, tt.want[i])
				}
				if !ev.TickTime.IsZero() {
					t.Errorf("event %d TickTime = %v, want zero in a snapshot", i, ev.TickTime)
				}
			}
		})
	}

	// One id per rendered update, increasing: WES, BHP, CBA, then BHP once more.
	ids := map[string]uint64{}
	for _, ev := range th.Snapshot(nil, HTML) {
		ids[ev.Name] = ev.ID
	}
	want := map[string]uint64{"quote-WES": 1, "quote-BHP": 4, "quote-CBA": 3}
	for name, id := range want {
		if ids[name] != id {
			t.Errorf("id of %s = %d, want %d", name, ids[name], id)
		}
	}
	quotes := th.Quotes()
	var codes []string
	for _, q := range quotes {
		codes = append(codes, q.Code)
	}
	if want := []string{"BHP", "CBA", "WES"}; !slices.Equal(codes, want) {
		t.Errorf("Quotes codes = %q, want %q", codes, want)
	}
}

func TestSubscribeFilterAndFormat(t *testing.T) {
	th := mustStartHub(t, Options{})
	th.Seed([]market.Quote{{Code: "ANZ", Last: 28, Time: t0}, {Code: "BHP", Last: 44, Time: t0},
		{Code: "CBA", Last: 119, Time: t0}, {Code: "WES", Last: 59, Time: t0}})
	tests := []struct {
		name   string
		codes  []string
		format Format
		want   []string
	}{
		{"AllHTML", nil, HTML, []string{"quote-BHP", "quote-CBA", "quote-WES"}},
		{"AllJSON", []string{}, JSON, []string{"q", "q", "q"}},
		{"OneHTML", []string{"CBA"}, HTML, []string{"quote-CBA"}},
		{"TwoJSON", []string{"WES", "BHP"}, JSON, []string{"q", "q"}},
		{"NotTraded", []string{"ANZ"}, HTML, nil},
		{"Unknown", []string{"XYZ"}, HTML, nil},
		{"OnlyInvalid", []string{"bhp", "BHP\n", ""}, HTML, nil},
	}
	subs := make([]*Subscription, len(tests))
	for i, tt := range tests {
		subs[i] = th.Subscribe(tt.codes, tt.format)
		defer subs[i].Close()
	}
	th.mustPublish(t, th.tick("BHP", 45), th.tick("CBA", 120), th.tick("WES", 60))
	th.mustWaitBatches(t, 1)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := subs[i].Drain(nil)
			if got := names(evs); !slices.Equal(got, tt.want) {
				t.Errorf("names = %q, want %q", got, tt.want)
			}
			for _, ev := range evs {
				isJSON := strings.HasPrefix(string(ev.Data), "{")
				if isJSON != (tt.format == JSON) {
					t.Errorf("format %v got data %q", tt.format, ev.Data)
				}
			}
		})
	}
}

func TestSeedGivesChangeFromPrevClose(t *testing.T) {
	th := mustStartHub(t, Options{})
	open := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	th.Seed([]market.Quote{
		{Code: "BHP", Last: 40, PrevClose: 40, Time: open},
		{Code: "CBA", Last: 118, PrevClose: 120, Time: open},
		{Code: "bad code"},
	})
	if got := th.Snapshot([]string{"CBA"}, HTML); len(got) != 1 || !strings.Contains(string(got[0].Data), "<td>-2.000</td>") {
		t.Errorf("seeded CBA snapshot = %q, want change -2", names(got))
	}

	th.mustPublish(t, th.tick("BHP", 41.5))
	th.mustWaitBatches(t, 1)
	tests := []struct {
		code             string
		wantLast, wantCh float64
		wantPct          float64
	}{
		{"BHP", 41.5, 1.5, 0.0375},
		{"CBA", 118, -2, -2.0 / 120},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			q, ok := th.Quote(tt.code)
			if !ok {
				t.Fatalf("no quote for %s", tt.code)
			}
			if q.Last != tt.wantLast || q.Change() != tt.wantCh || !near(q.ChangePct(), tt.wantPct) {
				t.Errorf("last %v change %v pct %v; want %v %v %v", q.Last, q.Change(), q.ChangePct(),
					tt.wantLast, tt.wantCh, tt.wantPct)
			}
		})
	}
	if got := th.render.prev("BHP"); got.Last != 40 || got.PrevClose != 40 {
		t.Errorf("renderer's prev for BHP = %+v, want the seeded quote", got)
	}
	if _, ok := th.Quote("bad code"); ok {
		t.Error("a quote with an invalid code was seeded")
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestOnTicksAndBadMessages(t *testing.T) {
	rdbHub := mustStartHub(t, Options{})
	got := make(chan []market.Tick, 10)
	rdbHub.OnTicks(func(ticks []market.Tick) { got <- ticks })

	ctx := context.Background()
	for _, garbage := range []string{"", "hello", "QB\x09rest", `{"v":1}`} {
		if err := rdbHub.rdb.Publish(ctx, rdbHub.channel, garbage).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rdbHub.render.mu.Lock()
	rdbHub.render.fail = map[string]bool{"NAB": true}
	rdbHub.render.mu.Unlock()
	rdbHub.mustPublish(t, rdbHub.tick("NAB", 30), rdbHub.tick("ANZ", 28), rdbHub.tick("NAB", 30.5))
	select {
	case ticks := <-got:
		if len(ticks) != 3 || ticks[2].Code != "NAB" || ticks[2].Price != 30.5 {
			t.Errorf("OnTicks got %+v, want the 3 published ticks", ticks)
		}
	case <-time.After(time.Second):
		t.Fatal("OnTicks not called within 1s")
	}
	st := rdbHub.Stats()
	if st.DecodeErrors != 4 || st.Batches != 1 || st.Ticks != 3 || st.RenderErrors != 1 {
		t.Errorf("Stats = %+v; want 4 decode errors, 1 batch of 3 ticks, 1 render error", st)
	}
	// NAB's HTML failed, so it has no HTML event yet; its quote and JSON event are current.
	if evs := rdbHub.Snapshot([]string{"NAB"}, HTML); len(evs) != 0 {
		t.Errorf("HTML snapshot of NAB = %q, want none", names(evs))
	}
	if evs := rdbHub.Snapshot([]string{"NAB"}, JSON); len(evs) != 1 {
		t.Errorf("JSON snapshot of NAB has %d events, want 1", len(evs))
	}
	if q, _ := rdbHub.Quote("NAB"); q.Last != 30.5 {
		t.Errorf("NAB last = %v, want 30.5", q.Last)
	}
}

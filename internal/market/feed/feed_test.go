package feed_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestLeaderFailover(t *testing.T) {
	pool := testdb.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var leaders atomic.Int32
	var terms [2]atomic.Int32
	run := func(i int, ctx context.Context) {
		l := feed.NewLeadership(pool, 4242, 200*time.Millisecond, 100*time.Millisecond, nil)
		_ = l.Run(ctx, func(ctx context.Context) error {
			if n := leaders.Add(1); n != 1 {
				t.Errorf("%d leaders at once", n)
			}
			terms[i].Add(1)
			<-ctx.Done()
			leaders.Add(-1)
			return nil
		}, func(err error) {})
	}
	ctxA, killA := context.WithCancel(ctx)
	doneA := make(chan struct{})
	go func() { run(0, ctxA); close(doneA) }()
	waitFor(t, func() bool { return terms[0].Load() == 1 }, 3*time.Second, "A becomes leader")
	go run(1, ctx)
	time.Sleep(600 * time.Millisecond)
	if terms[1].Load() != 0 {
		t.Fatal("B led while A held the lock")
	}
	// The leader's database session dies (as when its machine dies): B takes over.
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return terms[1].Load() == 1 }, 5*time.Second, "B takes over")
	t.Logf("failover after the leader's session died: %s", time.Since(start).Round(time.Millisecond))
	killA()
	<-doneA
}

func waitFor(t *testing.T, cond func() bool, within time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type plainRenderer struct{}

func (plainRenderer) QuoteHTML(q, _ market.Quote) ([]byte, error) { return []byte(q.Code), nil }
func (plainRenderer) QuoteJSON(q market.Quote, _ market.Tick) ([]byte, error) {
	return []byte(q.Code), nil
}

// TestTickToSubscriber: tick → COPY → Redis → hub → subscriber in well under a second.
func TestTickToSubscriber(t *testing.T) {
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	from := hub.Source{Deployment: prefix + "db0", Epoch: 1}
	h := hub.New(rdb, prefix+"quotes", from.Deployment, plainRenderer{}, hub.Options{})
	h.Seed([]market.Quote{{Code: "BHP", PrevClose: 60}})
	go func() { _ = h.Run(ctx) }()
	sub := h.Subscribe([]string{"BHP"}, hub.JSON)
	defer sub.Close()
	time.Sleep(200 * time.Millisecond) // the hub's Redis subscription is up

	in := feed.NewIngest(pool, rdb, prefix+"quotes", from, 100*time.Millisecond, 1000, nil)
	src := make(chan []market.Tick, 1)
	go func() { _ = in.Run(ctx, src) }()
	sent := time.Now()
	src <- []market.Tick{{Time: sent, Code: "BHP", Price: 61.25, Size: 100, Bid: 61.24, Ask: 61.25, Seq: 1}}
	select {
	case <-sub.Notify():
	case <-time.After(time.Second):
		t.Fatal("no event within a second")
	}
	evs := sub.Drain(nil)
	if len(evs) != 1 || string(evs[0].Data) != "BHP" {
		t.Fatalf("events %+v", evs)
	}
	took := time.Since(sent)
	q, _ := h.Quote("BHP")
	if q.Last != 61.25 || q.Volume != 100 || q.Change() != 1.25 {
		t.Errorf("quote %+v", q)
	}
	var n int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM ticks WHERE code = 'BHP'`).Scan(&n)
	if n != 1 {
		t.Errorf("ticks stored = %d", n)
	}
	t.Logf("tick to subscriber: %s", took)
}

// TestCandlesEqualHandAggregatedTicks rolls random ticks up twice (idempotent)
// and checks 1m/5m/1h candles against an aggregation done here in Go.
func TestCandlesEqualHandAggregatedTicks(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC) // 10:00 AEDT on 25 Nov
	var ticks []market.Tick
	price := 50.0
	for i := 0; i < 3000; i++ {
		price = asx.RoundFloatToTick(price * (1 + rng.NormFloat64()*0.001))
		ticks = append(ticks, market.Tick{Time: base.Add(time.Duration(i) * 1500 * time.Millisecond), Code: "BHP", Price: price, Size: int64(1 + rng.IntN(500)), Seq: int64(i + 1)})
	}
	mustCopy(t, pool, ticks)
	r := feed.NewRollUp(pool)
	for range 2 {
		if _, err := r.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}
	svc := market.NewService(pool, asx.DefaultCalendar())
	for _, name := range []string{"1m", "5m", "1h"} {
		iv, _ := market.ParseInterval(name)
		got, err := svc.Candles(ctx, "BHP", iv, base.Add(-time.Hour), base.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := aggregate(ticks, time.Duration(iv.Minutes)*time.Minute)
		if len(got) != len(want) {
			t.Fatalf("%s: %d candles, want %d", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s candle %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
}

func mustCopy(t *testing.T, pool *pgxpool.Pool, ticks []market.Tick) {
	t.Helper()
	_, err := pool.CopyFrom(context.Background(), pgx.Identifier{"ticks"}, []string{"time", "code", "price", "size", "seq", "kind"},
		pgx.CopyFromSlice(len(ticks), func(i int) ([]any, error) {
			k := ticks[i]
			return []any{k.Time, k.Code, k.Price, k.Size, k.Seq, int16(k.Kind)}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
}

// aggregate buckets ticks by width aligned to Sydney wall-clock time.
func aggregate(ticks []market.Tick, width time.Duration) []market.Bar {
	var out []market.Bar
	for _, tk := range ticks {
		local := tk.Time.In(asx.Sydney())
		_, off := local.Zone()
		shifted := tk.Time.Add(time.Duration(off) * time.Second).Truncate(width)
		start := shifted.Add(-time.Duration(off) * time.Second).UTC()
		if n := len(out); n > 0 && out[n-1].Time.Equal(start) {
			out[n-1] = out[n-1].Add(tk.Price, tk.Size)
			continue
		}
		out = append(out, market.Bar{Time: start}.Add(tk.Price, tk.Size))
	}
	return out
}

func TestFinaliseWritesDailyBarsAfterTheClose(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	cal := asx.DefaultCalendar()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, asx.Sydney())
	open := day.Add(10 * time.Hour)
	mustCopy(t, pool, []market.Tick{
		{Time: open, Code: "CBA", Price: 160, Size: 10, Seq: 1},
		{Time: open.Add(3 * time.Hour), Code: "CBA", Price: 165, Size: 20, Seq: 2},
		{Time: open.Add(6*time.Hour + 11*time.Minute), Code: "CBA", Price: 162.5, Size: 30, Seq: 3, Kind: market.Auction},
	})
	if _, err := feed.NewRollUp(pool).Once(ctx); err != nil {
		t.Fatal(err)
	}
	q := db.New(pool)
	if err := feed.Finalise(ctx, q, cal, open.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM daily_bars WHERE code = 'CBA' AND date = '2026-11-25'`).Scan(&n)
	if n != 0 {
		t.Fatal("finalised before the close")
	}
	for range 2 { // idempotent
		if err := feed.Finalise(ctx, q, cal, open.Add(6*time.Hour+20*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	var o, h, l, c float64
	var v int64
	var src string
	if err := pool.QueryRow(ctx, `SELECT open, high, low, close, volume, source FROM daily_bars WHERE code = 'CBA' AND date = '2026-11-25'`).Scan(&o, &h, &l, &c, &v, &src); err != nil {
		t.Fatal(err)
	}
	if o != 160 || h != 165 || l != 160 || c != 162.5 || v != 60 || src != "feed" {
		t.Errorf("daily bar %v %v %v %v %v %s", o, h, l, c, v, src)
	}
}

// TestRollUpTakesDelayedTicks: a tick written after a roll-up, stamped well
// before the newest tick of another code (a delayed quote), still reaches
// its one-minute bar.
func TestRollUpTakesDelayedTicks(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	mustCopy(t, pool, []market.Tick{{Time: now, Code: "CBA", Price: 160, Size: 10, Seq: 1}})
	r := feed.NewRollUp(pool)
	if _, err := r.Once(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	mustCopy(t, pool, []market.Tick{{Time: now.Add(-20 * time.Minute), Code: "BHP", Price: 61, Size: 5, Seq: 2}})
	if _, err := r.Once(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bars_1m WHERE code = 'BHP' AND time = $1`, now.Add(-20*time.Minute)).Scan(&n); err != nil || n != 1 {
		t.Errorf("delayed tick's bar rows = %d (%v), want 1", n, err)
	}
}

// TestDetectMinuteBars: the roll-up runs only where bars_1m is a table; a
// view there (a continuous aggregate's user view is one) is left to
// TimescaleDB and the refresher.
func TestDetectMinuteBars(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	if got, err := feed.DetectMinuteBars(ctx, pool); err != nil || got != feed.BarsTable {
		t.Fatalf("plain schema: %v, %v; want BarsTable", got, err)
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE bars_1m RENAME TO bars_1m_table; CREATE VIEW bars_1m AS SELECT * FROM bars_1m_table`); err != nil {
		t.Fatal(err)
	}
	if got, err := feed.DetectMinuteBars(ctx, pool); err != nil || got != feed.BarsAggregate {
		t.Fatalf("view: %v, %v; want BarsAggregate", got, err)
	}
	if _, err := pool.Exec(ctx, `DROP VIEW bars_1m`); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.DetectMinuteBars(ctx, pool); err == nil || !strings.Contains(err.Error(), "migrate up") {
		t.Fatalf("missing bars_1m: err = %v, want a hint to migrate", err)
	}
}

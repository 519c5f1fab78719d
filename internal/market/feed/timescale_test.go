package feed_test

import (
	"context"
	"database/sql"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
	"github.com/qlibpro/qlibpro/migrations"
)

// timescalePool is a migrated database on TIMESCALE_TEST_URL, with bars_1m
// as the continuous aggregate; its refresh policy is paused, so only the
// test (or the refresher under test) refreshes it.
func timescalePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := testenv.TimescaleDBURL(t)
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	p, err := migrations.NewProvider(sqlDB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up: %v", err)
	}
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(t.Context(), `SELECT alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs
		WHERE proc_name = 'policy_refresh_continuous_aggregate' AND hypertable_name = 'bars_1m'`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func minuteBars(t *testing.T, pool *pgxpool.Pool) []market.Bar {
	t.Helper()
	rows, _ := pool.Query(t.Context(), `SELECT time, open, high, low, close, volume FROM bars_1m ORDER BY code, time`)
	bars, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Bar, error) {
		var b market.Bar
		err := r.Scan(&b.Time, &b.Open, &b.High, &b.Low, &b.Close, &b.Volume)
		b.Time = b.Time.UTC()
		return b, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return bars
}

// TestAggregateMatchesRollUp (F3): the continuous aggregate and the plain
// roll-up give the same bars from the same ticks, where many trades share a
// timestamp and arrive out of seq order: open is the lowest (time, seq),
// close the highest.
func TestAggregateMatchesRollUp(t *testing.T) {
	ts := timescalePool(t)
	plain := testdb.New(t)
	ctx := t.Context()
	if kind, err := feed.DetectMinuteBars(ctx, ts); err != nil || kind != feed.BarsAggregate {
		t.Fatalf("TimescaleDB bars_1m: %v, %v; want BarsAggregate (the roll-up must not run)", kind, err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Minute)
	var ticks []market.Tick
	for i := range 2000 {
		at := base.Add(time.Duration(i/4) * 5 * time.Second) // four trades per timestamp
		ticks = append(ticks, market.Tick{Time: at, Code: "BHP", Price: 40 + float64(rng.IntN(200))/100, Size: int64(1 + rng.IntN(100)), Seq: int64(10000 - i)})
	}
	rng.Shuffle(len(ticks), func(i, j int) { ticks[i], ticks[j] = ticks[j], ticks[i] })
	mustCopy(t, ts, ticks)
	mustCopy(t, plain, ticks)
	if _, err := feed.NewRollUp(plain).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Exec(ctx, `CALL refresh_continuous_aggregate('bars_1m', NULL, now() - INTERVAL '1 minute')`); err != nil {
		t.Fatal(err)
	}
	got, want := minuteBars(t, ts), minuteBars(t, plain)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Fatalf("aggregate bars (%d) differ from the roll-up's (%d): first %+v vs %+v", len(got), len(want), got[:min(1, len(got))], want[:min(1, len(want))])
	}
	// By hand, the first bucket: its first timestamp's four trades have
	// seqs 10000..9997, so the open is the one with seq 9997.
	first := slices.IndexFunc(ticks, func(k market.Tick) bool { return k.Seq == 9997 })
	if got[0].Open != ticks[first].Price {
		t.Errorf("first open %v, want %v (lowest seq at the first timestamp)", got[0].Open, ticks[first].Price)
	}
}

// TestAggregateRefresher (F2): with the policy not running, the refresher
// materialises the aggregate once its watermark lags, and leaves it alone
// when it is current.
func TestAggregateRefresher(t *testing.T) {
	pool := timescalePool(t)
	ctx := context.Background()
	old := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	mustCopy(t, pool, []market.Tick{
		{Time: old, Code: "CBA", Price: 160, Size: 10, Seq: 1},
		{Time: old.Add(-36 * time.Hour), Code: "CBA", Price: 150, Size: 5, Seq: 2},
	})
	r := feed.NewAggregateRefresher(pool)
	before, err := r.Watermark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Migrating refreshed an empty aggregate: nothing is materialised yet.
	var materialised int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bars_1m WHERE time < $1`, before).Scan(&materialised); err != nil || materialised != 0 {
		t.Fatalf("%d bars below the watermark before any refresh (%v)", materialised, err)
	}
	r.MaxLag = time.Hour
	if _, refreshed, err := r.Once(ctx, time.Now()); err != nil || (refreshed && !before.IsZero()) {
		t.Fatalf("refreshed = %v (%v) with a watermark of %s and a one-hour tolerance", refreshed, err, before)
	}
	r.MaxLag = 0
	lag, refreshed, err := r.Once(ctx, time.Now().Add(2*time.Minute))
	if err != nil || !refreshed {
		t.Fatalf("lagging aggregate: refreshed = %v, %v", refreshed, err)
	}
	after, err := r.Watermark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !after.After(old) {
		t.Fatalf("watermark %s (lag %s) after refresh, want past the tick at %s", after, lag, old)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bars_1m WHERE time < $1`, after).Scan(&materialised); err != nil || materialised != 2 {
		t.Errorf("%d bars materialised below the watermark, want 2 (the 36-hour-old tick is in the window)", materialised)
	}
}

// recordLog keeps every log record's message and error attribute.
type recordLog struct {
	mu      sync.Mutex
	records []string
}

func (l *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordLog) Handle(_ context.Context, r slog.Record) error {
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
	l.mu.Lock()
	l.records = append(l.records, line)
	l.mu.Unlock()
	return nil
}
func (l *recordLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *recordLog) WithGroup(string) slog.Handler      { return l }
func (l *recordLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.records)
}

// TestLeaderUnderTimescale (F1): a feed leader on TimescaleDB writes ticks,
// does not run the plain roll-up (which failed every 2 s with "cannot
// insert into view"), and its one-minute bars come from the aggregate.
func TestLeaderUnderTimescale(t *testing.T) {
	pool := timescalePool(t)
	rdb, prefix := testenv.Redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := pool.Exec(ctx, `INSERT INTO instruments (code, name) VALUES ('BHP', 'BHP Group'), ('CBA', 'Commonwealth Bank');
		INSERT INTO daily_bars (code, date, open, high, low, close, volume) VALUES
		  ('BHP', current_date - 1, 45, 46, 44, 45.5, 1000), ('CBA', current_date - 1, 160, 161, 159, 160.5, 1000)`); err != nil {
		t.Fatal(err)
	}
	log := &recordLog{}
	runner := feed.NewRunner(feed.Config{
		Provider: feed.Simulator, Speed: 1, Seed: 1, Symbols: []string{"BHP", "CBA"},
		BatchEvery: 100 * time.Millisecond, MaxBatch: 1000, Channel: prefix + "quotes", Deployment: prefix,
	}, pool, rdb, asx.DefaultCalendar(), provider.NewDemoClock(time.Now().Add(-2*time.Hour), 1, nil), slog.New(log), nil)
	done := make(chan struct{})
	go func() { _ = runner.Run(ctx); close(done) }()
	waitFor(t, func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM bars_1m`).Scan(&n)
		return n > 0
	}, 20*time.Second, "one-minute bars from the aggregate")
	time.Sleep(5 * time.Second) // more than two roll-up intervals
	cancel()
	<-done
	for _, l := range log.lines() {
		if strings.HasPrefix(l, "ERROR") {
			t.Errorf("feed logged %s", l)
		}
	}
}

package feed_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestDayClockOnPostgres: the demo clock plays the real date's trading day
// from 09:59:30, stores the start, and a second clock on the same database
// (a restarted process, another machine) continues the session instead of
// starting it again. Weekends play the previous trading day, the next real
// trading day starts its own session, and the day stops at its midnight.
func TestDayClockOnPostgres(t *testing.T) {
	pool := testdb.New(t)
	cal := asx.DefaultCalendar()
	syd := asx.Sydney()
	store := feed.NewSimSessions(pool)
	tue := testenv.TimeIn(t, "2026-12-08 22:00:00", syd) // a Tuesday evening
	at := func(c *provider.DayClock, real time.Time) string {
		return c.Session(real).In(syd).Format(time.DateTime)
	}

	first := provider.NewDayClock(store, 1, cal, func(err error) { t.Error(err) })
	if got := at(first, tue); got != "2026-12-08 09:59:30" {
		t.Errorf("session at the first read = %s, want 2026-12-08 09:59:30", got)
	}
	if got := at(first, tue.Add(10*time.Minute)); got != "2026-12-08 10:09:30" {
		t.Errorf("session 10 minutes on = %s", got)
	}

	// A restart 15 minutes after the first start continues at 10:14:30.
	restarted := provider.NewDayClock(store, 1, cal, func(err error) { t.Error(err) })
	if got := at(restarted, tue.Add(15*time.Minute)); got != "2026-12-08 10:14:30" {
		t.Errorf("restarted clock = %s, want the session continued at 10:14:30", got)
	}
	// Mapping a stored instant (an order placed 5 minutes in) gives its session time.
	if got := restarted.SessionAt(tue.Add(5 * time.Minute)).In(syd).Format(time.DateTime); got != "2026-12-08 10:04:30" {
		t.Errorf("SessionAt(5 minutes in) = %s", got)
	}
	// Instants of days without a stored session are not mapped, nor stored.
	old := testenv.TimeIn(t, "2026-11-02 12:00:00", syd)
	if got := restarted.SessionAt(old); !got.Equal(old) {
		t.Errorf("SessionAt(a day never played) = %v, want it unchanged", got)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM sim_sessions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("sim_sessions rows = %d (%v), want 1", n, err)
	}
	// The simulated day stops before its midnight: never the next date.
	thu := testenv.TimeIn(t, "2026-12-10 00:30:00", syd)
	if got := at(restarted, thu); got != "2026-12-10 09:59:30" {
		t.Errorf("Thursday = %s", got)
	}
	if got := at(restarted, thu.Add(23*time.Hour)); got != "2026-12-10 23:59:59" {
		t.Errorf("session 23 h on = %s, want the day's end", got)
	}

	// Wednesday starts its own session; Saturday plays Friday's.
	wed := testenv.TimeIn(t, "2026-12-09 08:00:00", syd)
	if got := at(restarted, wed); got != "2026-12-09 09:59:30" {
		t.Errorf("next real day = %s, want its own session from 09:59:30", got)
	}
	sat := testenv.TimeIn(t, "2026-12-12 11:00:00", syd)
	if got := at(first, sat.Add(time.Hour)); got != "2026-12-11 09:59:30" {
		t.Errorf("Saturday = %s, want Friday's session", got)
	}
	if got := at(restarted, sat.Add(2*time.Hour)); got != "2026-12-11 10:59:30" {
		t.Errorf("Saturday, other clock = %s, want Friday's session an hour on", got)
	}
}

// TestDayClockConcurrentClaims: processes starting at once agree on one start.
func TestDayClockConcurrentClaims(t *testing.T) {
	pool := testdb.New(t)
	store := feed.NewSimSessions(pool)
	day := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	base := time.Date(2026, 12, 8, 11, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	got := make([]time.Time, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Claim(context.Background(), day, base.Add(time.Duration(i)*time.Second), 1)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		}()
	}
	wg.Wait()
	for i, s := range got {
		if !s.Equal(got[0]) {
			t.Errorf("claim %d = %v, claim 0 = %v", i, s, got[0])
		}
	}
}

// TestRestartContinuesTheSession runs the simulator feed (real PostgreSQL
// and Redis), stops it and starts it again on the same day: the second run
// continues the session. Its ticks carry later session times, no instrument
// prints a second opening auction, and each resumes from its last price.
func TestRestartContinuesTheSession(t *testing.T) {
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	cal := asx.DefaultCalendar()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := feed.Config{Provider: feed.Simulator, Speed: 300, Seed: 7, Symbols: []string{"BHP", "CBA", "CSL"},
		BatchEvery: 100 * time.Millisecond, MaxBatch: 1000, Channel: prefix + "quotes", Deployment: prefix + "db0"}
	run := func(until func() bool) {
		t.Helper()
		clock, err := feed.SharedClock(ctx, feed.Simulator, pool, rdb, prefix+"clock", cfg.Speed, cal, func(err error) { t.Error(err) })
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = feed.NewRunner(cfg, pool, rdb, cal, clock, log, nil).Run(rctx); close(done) }()
		waitFor(t, until, 30*time.Second, "the feed trades")
		cancel()
		<-done
	}
	count := func(sql string, args ...any) int {
		var n int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	trades := func() int { return count(`SELECT count(*) FROM ticks WHERE kind = 0`) }
	run(func() bool { return trades() >= 30 && count(`SELECT count(*) FROM bars_1m WHERE code = 'BHP'`) > 0 })
	var lastTime time.Time
	var lastPrice float64
	if err := pool.QueryRow(ctx, `SELECT time, price FROM ticks WHERE code = 'BHP' AND kind <> 2 ORDER BY time DESC, seq DESC LIMIT 1`).Scan(&lastTime, &lastPrice); err != nil {
		t.Fatal(err)
	}
	before := trades()

	run(func() bool { return trades() >= before+30 })
	if n := count(`SELECT count(*) FROM sim_sessions`); n != 1 {
		t.Errorf("sim_sessions rows = %d, want the one session", n)
	}
	if n := count(`SELECT count(*) FROM ticks WHERE code = 'BHP' AND kind = 1`); n != 1 {
		t.Errorf("BHP auction prints = %d, want the one opening auction", n)
	}
	var nextTime time.Time
	var nextPrice float64
	if err := pool.QueryRow(ctx, `SELECT time, price FROM ticks WHERE code = 'BHP' AND kind = 0 AND time > $1 ORDER BY time, seq LIMIT 1`, lastTime).Scan(&nextTime, &nextPrice); err != nil {
		t.Fatal(err)
	}
	if s := asx.TradeDate(nextTime); !s.Equal(asx.TradeDate(lastTime)) {
		t.Errorf("second run trades on %v, first on %v", s, asx.TradeDate(lastTime))
	}
	// Within 1 % of the last price: it resumed, not restarted from the
	// previous close with a new opening gap.
	if d := nextPrice/lastPrice - 1; d > 0.01 || d < -0.01 {
		t.Errorf("first trade after the restart %.3f, last before %.3f", nextPrice, lastPrice)
	}
	t.Logf("first run to %s at %.2f; second run from %s at %.2f",
		lastTime.In(asx.Sydney()).Format("15:04:05"), lastPrice, nextTime.In(asx.Sydney()).Format("15:04:05"), nextPrice)
}

package feed_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

type simBar struct {
	Date                   time.Time
	Open, High, Low, Close float64
	Volume                 *int64
	Source                 string
}

func barsOf(t *testing.T, pool *pgxpool.Pool, code string, from time.Time) []simBar {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT date, open, high, low, close, volume, source FROM daily_bars WHERE code = $1 AND date >= $2 ORDER BY date`, code, from)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []simBar
	for rows.Next() {
		var b simBar
		if err := rows.Scan(&b.Date, &b.Open, &b.High, &b.Low, &b.Close, &b.Volume, &b.Source); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestFillSimulated fills the days after the shipped history (4 Jun 2026)
// up to 4 Dec 2026 with simulated bars: one per instrument per ASX trading
// day, source sim, valid OHLC on the price grid, continuing from the last
// real close with about the instrument's volatility, no volume for
// indices, the same bars when filled again in pieces, and a played
// session's own bar on the day the demo feed played.
func TestFillSimulated(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	cal := asx.DefaultCalendar()
	lastReal := time.Date(2026, 6, 4, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	days := cal.TradingDays(time.Date(2026, 6, 5, 12, 0, 0, 0, asx.Sydney()), time.Date(2026, 12, 4, 12, 0, 0, 0, asx.Sydney()))

	// The demo feed played 2 Jul 2026 for BHP: its one-minute bars.
	played := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	mustExec(t, pool, `INSERT INTO bars_1m (code, time, open, high, low, close, volume, trades) VALUES
		('BHP', '2026-07-02 10:00:00+10', 40.00, 40.50, 39.90, 40.20, 1000, 10),
		('BHP', '2026-07-02 15:59:00+10', 40.20, 40.80, 40.10, 40.60, 2000, 20)`)

	res, err := feed.FillSimulated(ctx, pool, cal, 1, to)
	if err != nil {
		t.Fatal(err)
	}
	var active int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM instruments i WHERE i.active
		AND (SELECT max(date) FROM daily_bars d WHERE d.code = i.code) = $1`, lastReal).Scan(&active); err != nil {
		t.Fatal(err)
	}
	var onDays int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM daily_bars WHERE source = 'sim' AND date > $1`, lastReal).Scan(&onDays); err != nil {
		t.Fatal(err)
	}
	if want := int64(active * len(days)); onDays < want || res.Bars < want {
		t.Errorf("simulated bars after %s: %d (result %d), want at least %d (%d instruments × %d trading days)",
			lastReal.Format(time.DateOnly), onDays, res.Bars, want, active, len(days))
	}
	if res.FromSession != 1 || !res.To.Equal(to) {
		t.Errorf("result %+v: want one bar from a played session, up to %s", res, to.Format(time.DateOnly))
	}

	bhp := barsOf(t, pool, "BHP", lastReal)
	if len(bhp) != len(days)+1 || bhp[0].Source != "history" {
		t.Fatalf("BHP bars from the last real day: %d, want %d", len(bhp), len(days)+1)
	}
	var sumSq float64
	for i, b := range bhp[1:] {
		if !b.Date.Equal(asx.Civil(days[i])) || b.Source != "sim" {
			t.Fatalf("bar %d: %s %s, want %s sim", i, b.Date.Format(time.DateOnly), b.Source, asx.Civil(days[i]).Format(time.DateOnly))
		}
		if b.Low > math.Min(b.Open, b.Close) || b.High < math.Max(b.Open, b.Close) || b.Low <= 0 {
			t.Errorf("%s: OHLC %v %v %v %v", b.Date.Format(time.DateOnly), b.Open, b.High, b.Low, b.Close)
		}
		if b.Close != asx.RoundFloatToTick(b.Close) || b.Volume == nil || *b.Volume <= 0 {
			t.Errorf("%s: close %v off the price step or volume %v", b.Date.Format(time.DateOnly), b.Close, b.Volume)
		}
		r := math.Log(b.Close / bhp[i].Close)
		sumSq += r * r
	}
	// BHP's daily volatility is about 1.5 %: the walk's should be near it.
	if vol := math.Sqrt(sumSq / float64(len(days))); vol < 0.005 || vol > 0.04 {
		t.Errorf("simulated BHP daily volatility %.4f, want a plausible 0.5–4 %%", vol)
	}
	if first := bhp[1]; math.Abs(first.Open/bhp[0].Close-1) > 0.1 {
		t.Errorf("first simulated open %v, last real close %v", first.Open, bhp[0].Close)
	}
	for _, b := range bhp {
		if b.Date.Equal(played) && (b.Open != 40 || b.High != 40.8 || b.Low != 39.9 || b.Close != 40.6 || *b.Volume != 3000) {
			t.Errorf("played day %+v, want the session's bar 40/40.8/39.9/40.6 3000", b)
		}
	}
	for _, b := range barsOf(t, pool, "XJO", lastReal.AddDate(0, 0, 1)) {
		if b.Volume != nil || b.Source != "sim" {
			t.Fatalf("XJO %s: volume %v source %s, want none and sim", b.Date.Format(time.DateOnly), b.Volume, b.Source)
		}
	}

	// Filling again writes nothing; deleting the last two months and
	// filling in two pieces gives the same bars (the draw is per code and day).
	if again, err := feed.FillSimulated(ctx, pool, cal, 1, to); err != nil || again.Bars != 0 {
		t.Errorf("second fill wrote %d bars (%v), want 0", again.Bars, err)
	}
	cut := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	mustExec(t, pool, `DELETE FROM daily_bars WHERE source = 'sim' AND date >= $1`, cut)
	if _, err := feed.FillSimulated(ctx, pool, cal, 1, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.FillSimulated(ctx, pool, cal, 1, to); err != nil {
		t.Fatal(err)
	}
	refilled := barsOf(t, pool, "BHP", lastReal)
	for i := range bhp {
		a, b := bhp[i], refilled[i]
		if a.Open != b.Open || a.High != b.High || a.Low != b.Low || a.Close != b.Close || *a.Volume != *b.Volume {
			t.Fatalf("refilled %s: %+v, first fill %+v", a.Date.Format(time.DateOnly), b, a)
		}
	}
	// Another seed draws other days.
	mustExec(t, pool, `DELETE FROM daily_bars WHERE source = 'sim'`)
	if _, err := feed.FillSimulated(ctx, pool, cal, 2, to); err != nil {
		t.Fatal(err)
	}
	if other := barsOf(t, pool, "BHP", lastReal); other[5].Close == bhp[5].Close && other[6].Close == bhp[6].Close {
		t.Errorf("seed 2 gave seed 1's closes")
	}
}

// TestRealBarsReplaceSimulated: a real provider's end-of-day bar and an
// import replace simulated bars of the same day; the demo feed's own
// finalisation never replaces a real bar.
func TestRealBarsReplaceSimulated(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	cal := asx.DefaultCalendar()
	q := db.New(pool)
	if _, err := feed.FillSimulated(ctx, pool, cal, 1, time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	source := func(code string, day time.Time) (string, float64) {
		t.Helper()
		var s string
		var c float64
		if err := pool.QueryRow(ctx, `SELECT source, close FROM daily_bars WHERE code = $1 AND date = $2`, code, day).Scan(&s, &c); err != nil {
			t.Fatal(err)
		}
		return s, c
	}
	d1 := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC) // 8 June is the King's Birthday
	if s, _ := source("BHP", d1); s != "sim" {
		t.Fatalf("BHP %s source %s, want sim", d1.Format(time.DateOnly), s)
	}
	vol := int64(5_000_000)
	// A real provider's finalisation.
	if err := q.UpsertFeedDailyBar(ctx, db.UpsertFeedDailyBarParams{Code: "BHP", Date: d1, Open: 50, High: 51, Low: 49.5, Close: 50.5, Volume: &vol}); err != nil {
		t.Fatal(err)
	}
	if s, c := source("BHP", d1); s != "feed" || c != 50.5 {
		t.Errorf("after the provider's bar: %s %v, want feed 50.5", s, c)
	}
	// An import of real bars.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asxdata.UpsertBars(ctx, tx, []asxdata.Bar{{Code: "CBA", Date: d2, Open: 170, High: 172, Low: 169, Close: 171.5, Volume: &vol}}, "import"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if s, c := source("CBA", d2); s != "import" || c != 171.5 {
		t.Errorf("after the import: %s %v, want import 171.5", s, c)
	}
	// The simulator's bar for a day with a real bar changes nothing.
	if err := q.UpsertSimDailyBar(ctx, db.UpsertSimDailyBarParams{Code: "BHP", Date: d1, Open: 1, High: 1, Low: 1, Close: 1, Volume: &vol}); err != nil {
		t.Fatal(err)
	}
	if s, c := source("BHP", d1); s != "feed" || c != 50.5 {
		t.Errorf("after a simulated bar over the real one: %s %v, want feed 50.5 kept", s, c)
	}
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// TestFinaliseSimWritesSimulatedSessions: the simulator's session becomes
// sim daily bars after its close (not before), a previous day's session cut
// short by the change of date gets its bar too, and a real bar is kept.
func TestFinaliseSimWritesSimulatedSessions(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	cal := asx.DefaultCalendar()
	q := db.New(pool)
	mustExec(t, pool, `INSERT INTO bars_1m (code, time, open, high, low, close, volume, trades) VALUES
		('BHP', '2026-11-24 10:00:00+11', 44.00, 44.50, 43.90, 44.20, 1000, 10),
		('BHP', '2026-11-24 11:59:00+11', 44.20, 44.30, 44.10, 44.25, 500, 5),
		('BHP', '2026-11-25 10:00:00+11', 45.00, 45.50, 44.90, 45.20, 1000, 10),
		('BHP', '2026-11-25 16:10:00+11', 45.20, 45.80, 45.10, 45.60, 3000, 1),
		('CBA', '2026-11-25 10:00:00+11', 160.00, 161.00, 159.00, 160.50, 100, 1)`)
	mustExec(t, pool, `INSERT INTO daily_bars (code, date, open, high, low, close, volume, source)
		VALUES ('CBA', '2026-11-25', 150, 151, 149, 150.5, 7, 'feed')`)
	bar := func(code, day string) (string, float64, int64) {
		t.Helper()
		var s string
		var c float64
		var v int64
		err := pool.QueryRow(ctx, `SELECT source, close, volume FROM daily_bars WHERE code = $1 AND date = $2`, code, day).Scan(&s, &c, &v)
		if err != nil {
			return "", 0, 0
		}
		return s, c, v
	}
	syd := asx.Sydney()
	if err := feed.FinaliseSim(ctx, q, cal, time.Date(2026, 11, 25, 14, 0, 0, 0, syd)); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := bar("BHP", "2026-11-25"); s != "" {
		t.Errorf("the session's bar written before its close (%s)", s)
	}
	if s, c, v := bar("BHP", "2026-11-24"); s != "sim" || c != 44.25 || v != 1500 {
		t.Errorf("the cut-short previous session: %s %v %v, want sim 44.25 1500", s, c, v)
	}
	for range 2 {
		if err := feed.FinaliseSim(ctx, q, cal, time.Date(2026, 11, 25, 16, 14, 0, 0, syd)); err != nil {
			t.Fatal(err)
		}
	}
	if s, c, v := bar("BHP", "2026-11-25"); s != "sim" || c != 45.6 || v != 4000 {
		t.Errorf("after the close: %s %v %v, want sim 45.6 4000", s, c, v)
	}
	if s, c, _ := bar("CBA", "2026-11-25"); s != "feed" || c != 150.5 {
		t.Errorf("real CBA bar: %s %v, want feed 150.5 kept", s, c)
	}
}

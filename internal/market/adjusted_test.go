package market_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestDailyCandlesAdjusted(t *testing.T) {
	pool := testdb.New(t)
	svc := market.NewService(pool, asx.DefaultCalendar())
	day, _ := market.ParseInterval("1D")
	from, to := testenv.Date(t, "2017-12-01"), testenv.Date(t, "2018-01-10")
	adj, err := svc.CandlesIn(t.Context(), "REH", day, from, to, market.Adjusted)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := svc.CandlesIn(t.Context(), "REH", day, from, to, market.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(adj) != len(raw) || len(adj) < 10 {
		t.Fatalf("%d adjusted and %d raw candles", len(adj), len(raw))
	}
	split := testenv.Date(t, "2017-12-18")
	for i := range adj {
		a, r := adj[i], raw[i]
		want := 1.0
		if a.Time.Before(split) {
			want = 0.2
		}
		if math.Abs(a.Close-r.Close*want) > 1e-9 || math.Abs(a.Open-r.Open*want) > 1e-9 {
			t.Errorf("%s: adjusted %v/%v, raw %v/%v; want raw × %v", a.Time.Format(time.DateOnly), a.Open, a.Close, r.Open, r.Close, want)
		}
		if a.Time.Before(split) && a.Volume != int64(math.Round(float64(r.Volume)/0.2)) {
			t.Errorf("%s: adjusted volume %d, raw %d; want raw ÷ 0.2", a.Time.Format(time.DateOnly), a.Volume, r.Volume)
		}
	}
	// The weekly candle spanning the split is built from adjusted days.
	week, _ := market.ParseInterval("1W")
	w, err := svc.CandlesIn(t.Context(), "REH", week, testenv.Date(t, "2017-11-01"), testenv.Date(t, "2018-02-01"), market.Adjusted)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(w); i++ {
		if r := w[i].Close / w[i-1].Close; r < 0.8 || r > 1.25 {
			t.Errorf("adjusted weekly close %s -> %s moves ×%.2f", w[i-1].Time.Format(time.DateOnly), w[i].Time.Format(time.DateOnly), r)
		}
	}
}

// The live bar (today, from one-minute bars) joins the adjusted daily history
// without a jump: the latest stored bar's factor is 1, and an action dated
// today — whose bar is not written until the close — is applied to the
// history at once.
func TestLiveBarJoinsAdjustedHistory(t *testing.T) {
	pool := testdb.New(t)
	svc := market.NewService(pool, asx.DefaultCalendar())
	day, _ := market.ParseInterval("1D")
	now := time.Now()
	today := asx.Civil(now.In(asx.Sydney()))
	// Today has no daily bar yet (this database is the test's own copy).
	if _, err := pool.Exec(t.Context(), `DELETE FROM daily_bars WHERE code = 'CBA' AND date >= $1`, today); err != nil {
		t.Fatal(err)
	}
	var lastClose float64
	var lastDate time.Time
	if err := pool.QueryRow(t.Context(), `SELECT date, close FROM daily_bars WHERE code = 'CBA' ORDER BY date DESC LIMIT 1`).Scan(&lastDate, &lastClose); err != nil {
		t.Fatal(err)
	}
	// Today CBA trades at half its last close, as if a 2:1 split took effect today.
	live := lastClose / 2
	if _, err := pool.Exec(t.Context(), `INSERT INTO bars_1m (code, time, open, high, low, close, volume, trades)
		VALUES ('CBA', date_trunc('minute', now()) - interval '1 minute', $1, $1, $1, $1, 100, 1)`, live); err != nil {
		t.Fatal(err)
	}
	candles := func(p market.Prices) []market.Bar {
		t.Helper()
		bars, err := svc.CandlesIn(t.Context(), "CBA", day, lastDate.AddDate(0, 0, -10), now.Add(time.Minute), p)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(bars); n < 2 || !bars[n-1].Time.Equal(today) || !bars[n-2].Time.Equal(lastDate) {
			t.Fatalf("candles do not end with the last bar %s and today's live bar: %+v", lastDate.Format(time.DateOnly), bars)
		}
		return bars
	}
	before := candles(market.Adjusted)
	if n := len(before); before[n-2].Close != lastClose {
		t.Errorf("adjusted latest close %v, want the traded %v (latest factor 1)", before[n-2].Close, lastClose)
	}

	f := 0.5
	if _, err := corpaction.NewService(pool).Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CBA", ExDate: &today, Kind: corpaction.KindSplit, Ratio: "2:1", Factor: &f}}); err != nil {
		t.Fatal(err)
	}
	adj, raw := candles(market.Adjusted), candles(market.Raw)
	n := len(adj)
	if r := adj[n-1].Close / adj[n-2].Close; math.Abs(r-1) > 1e-9 {
		t.Errorf("adjusted: live close %v after history close %v (×%.3f), want no jump", adj[n-1].Close, adj[n-2].Close, r)
	}
	if r := raw[n-1].Close / raw[n-2].Close; math.Abs(r-0.5) > 1e-9 {
		t.Errorf("raw: live close %v after history close %v (×%.3f), want the traded halving", raw[n-1].Close, raw[n-2].Close, r)
	}
}

// The simulator's volatility comes from the last year of closes: AMC's
// 1-for-5 consolidation (2026-01-05) in that year is not a ×5 move.
func TestRecentClosesAdjusted(t *testing.T) {
	pool := testdb.New(t)
	rows, err := db.New(pool).ListRecentCloses(t.Context(), db.ListRecentClosesParams{Code: "AMC", Limit: 251})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := 1; i < len(rows); i++ {
		worst = max(worst, math.Abs(math.Log(rows[i].Close/rows[i-1].Close)))
	}
	if len(rows) != 251 || worst > math.Log(1.5) {
		t.Errorf("%d closes, largest daily move |log r| = %.2f; want 251 adjusted closes without the consolidation jump", len(rows), worst)
	}
}

// A day that is an ex-date compares with the adjusted previous close: REH's
// first bar after its 5:1 split is up 0.8 %, not down 80 %.
func TestPreviousCloseAdjusted(t *testing.T) {
	pool := testdb.New(t)
	if _, err := pool.Exec(t.Context(), `DELETE FROM daily_bars WHERE code = 'REH' AND date > '2017-12-29'`); err != nil {
		t.Fatal(err)
	}
	q := db.New(pool)
	seeds, err := q.ListQuoteSeeds(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range seeds {
		if s.Code == "REH" {
			found = true
			if s.LastClose != 9.63 || math.Abs(s.PriorClose-47.77*0.2) > 1e-9 {
				t.Errorf("REH seed last %v prior %v, want 9.63 and 47.77 × 0.2", s.LastClose, s.PriorClose)
			}
		}
	}
	overview, err := q.ListMarketOverview(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overview {
		if o.Code == "REH" && math.Abs(o.PrevClose-47.77*0.2) > 1e-9 {
			t.Errorf("REH overview prev close %v, want 47.77 × 0.2", o.PrevClose)
		}
	}
	if !found {
		t.Fatal("REH has no quote seed")
	}
}

package handlers_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestSimulatedDaysLabelledInChartsHistoryAndSignals: after the demo fills
// the days past the real history with simulated bars, the instrument's
// chart captions them and marks each simulated candle, the history table
// tags them, and the signals page says the day's scores rank simulated bars.
func TestSimulatedDaysLabelledInChartsHistoryAndSignals(t *testing.T) {
	app := testapp.New(t, nil)
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, testdb.QuantTables...)
	if _, err := feed.FillSimulated(ctx, app.Pool, asx.DefaultCalendar(), 1, testenv.Date(t, "2026-06-12")); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("sim@example.com", "Sim Viewer")

	if home := b.get("/"); !strings.Contains(home.body, "close of Fri 12 Jun 2026 (simulated; real history to Thu 4 Jun 2026)") {
		t.Errorf("the overview does not label its simulated close")
	} else if !strings.Contains(home.body, "close Fri 12 Jun 2026 (simulated)") {
		t.Errorf("the index cards do not label their simulated close")
	}
	doc := mustDoc(t, b.get("/instruments/BHP").body)
	label := strings.TrimSpace(doc.Find(`[data-testid="chart-panel"] [data-testid="sim-label"]`).Text())
	if !strings.Contains(label, "Simulated daily bars 5 Jun 2026 – 12 Jun 2026") {
		t.Errorf("chart label = %q", label)
	}
	if n := doc.Find(`[data-testid="history"] [data-testid="sim-day"]`).Length(); n != 5 { // 8 June is a holiday
		t.Errorf("history tags %d simulated days, want 5", n)
	}
	var candles struct {
		Bars []struct {
			Time string `json:"time"`
			Sim  bool   `json:"sim"`
		} `json:"bars"`
	}
	res := b.get("/instruments/BHP/candles.json?interval=1D&range=max")
	if err := json.Unmarshal([]byte(res.body), &candles); err != nil {
		t.Fatalf("candles: %v %.200s", err, res.body)
	}
	var sim []string
	for _, c := range candles.Bars {
		if c.Sim {
			sim = append(sim, c.Time)
		}
	}
	if strings.Join(sim, ",") != "2026-06-05,2026-06-09,2026-06-10,2026-06-11,2026-06-12" {
		t.Errorf("simulated candles %v", sim)
	}
	// A real day stays unmarked; an instrument without simulated days has no label.
	if n := len(candles.Bars); n < 10 || candles.Bars[n-6].Sim || candles.Bars[n-6].Time != "2026-06-04" {
		t.Errorf("the last real candle: %+v", candles.Bars[max(n-6, 0)])
	}

	// Signals scored on a simulated day say so.
	p := app.Quant
	if _, err := p.Store().Refresh(ctx, quantCodes); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: quantSegments, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ScoreDays(ctx, []time.Time{testenv.Date(t, "2026-06-11"), testenv.Date(t, "2026-06-12")}); err != nil {
		t.Fatal(err)
	}
	sig := mustDoc(t, b.get("/signals").body)
	if got := sig.Find(`[data-testid="signals"] [data-testid="sim-label"]`).Text(); !strings.Contains(got, "Simulated day") ||
		!strings.Contains(got, "ends Thu 4 Jun 2026") || sig.Find(`[data-testid="signals-table"] tbody tr`).Length() == 0 {
		t.Errorf("signals on a simulated day: label %q", got)
	}
	// The API says so too; a real day's signal does not.
	tok := newBrowser(t, app, b.srv).mustAPIToken("simapi@example.com", "Sim API")
	h := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	for _, tt := range []struct {
		date string
		want bool
	}{{"2026-06-12", true}, {"", true}} {
		var rk pipeline.Ranking
		rec := app.Do(t, "GET", "/api/v1/signals?model=ridge&date="+tt.date, nil, h)
		if err := json.Unmarshal(rec.Body.Bytes(), &rk); err != nil || rec.Code != 200 || rk.Simulated != tt.want {
			t.Errorf("ranking %q: %d simulated=%v, want %v", tt.date, rec.Code, rk.Simulated, tt.want)
		}
	}
	var sg pipeline.Signal
	rec := app.Do(t, "POST", "/api/v1/signals", strings.NewReader(`{"symbol":"bhp","model":"ridge"}`), h)
	if err := json.Unmarshal(rec.Body.Bytes(), &sg); err != nil || !sg.Simulated || sg.AsOf.Format(time.DateOnly) != "2026-06-12" {
		t.Errorf("signal: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := p.ScoreDays(ctx, []time.Time{testenv.Date(t, "2026-06-04")}); err != nil {
		t.Fatal(err)
	}
	var real pipeline.Ranking
	rec = app.Do(t, "GET", "/api/v1/signals?model=ridge&date=2026-06-04", nil, h)
	if err := json.Unmarshal(rec.Body.Bytes(), &real); err != nil || rec.Code != 200 || real.Simulated {
		t.Errorf("a real day's ranking: %d simulated=%v", rec.Code, real.Simulated)
	}
}

// TestOrdersAndLedgerShowSessionTimes: with the demo feed's session clock,
// an order's placed time and the ledger's entries show the simulated
// session's time (from 09:59:30 on the day it plays), not the wall clock.
func TestOrdersAndLedgerShowSessionTimes(t *testing.T) {
	app := testapp.New(t, nil) // the default clock: the demo feed's DayClock
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("times@example.com", "Tim Es")
	order := url.Values{"code": {"BHP"}, "side": {"buy"}, "type": {"limit"}, "quantity": {"10"}, "limit_price": {"1.00"},
		"tif": {"gtc"}, "idempotency_key": {"times-1"}}
	if res := b.htmxPost("/portfolio/orders", order); res.StatusCode != 200 {
		t.Fatalf("place: %d %.300s", res.StatusCode, res.body)
	}
	now := time.Now().In(asx.Sydney())
	cal := asx.DefaultCalendar()
	day := now
	if !cal.IsTradingDay(day) {
		day = cal.PrevTradingDay(day)
	}
	sessionDay := day.In(asx.Sydney()).Format("2 Jan 2006")
	// Placed within the first minutes of the simulated session.
	inSession := func(what, shown string) {
		t.Helper()
		at, err := time.ParseInLocation("2 Jan 2006 15:04", strings.Join(strings.Fields(shown)[:4], " "), asx.Sydney())
		if err != nil {
			t.Fatalf("%s %q: %v", what, shown, err)
		}
		if !strings.HasPrefix(shown, sessionDay+" ") || at.Hour() != 9 && at.Hour() != 10 || at.Hour() == 10 && at.Minute() > 10 {
			t.Errorf("%s shows %q, want the session's time on %s from 09:59 (the wall clock is %s)", what, shown, sessionDay, now.Format("15:04"))
		}
	}
	doc := mustDoc(t, b.get("/portfolio/orders").body)
	inSession("the order's placed time", strings.TrimSpace(doc.Find(`[data-testid="order-row"] td:nth-child(2)`).First().Text()))
	led := mustDoc(t, b.get("/portfolio/ledger").body)
	inSession("the ledger's opening deposit", strings.TrimSpace(led.Find(`[data-testid="ledger"] tr.tx-first td:nth-child(2)`).First().Text()))
}

// TestBoardAndChartShowSessionTimes: with the simulator on the demo
// feed's session clock, the quote board's times and the one-minute candles
// are the simulated session's (from 09:59:30 of the day it plays), not the
// wall clock, and the intraday chart says the session is simulated.
func TestBoardAndChartShowSessionTimes(t *testing.T) {
	app := testapp.New(t, map[string]string{"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator",
		"FEED_SYMBOLS": "BHP", "FEED_SPEED": "10"})
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("board@example.com", "Bo Ard")
	cal := asx.DefaultCalendar()
	now := time.Now().In(asx.Sydney())
	day := now
	if !cal.IsTradingDay(day) {
		day = cal.PrevTradingDay(day)
	}
	y, m, d := day.In(asx.Sydney()).Date()
	from := time.Date(y, m, d, 9, 59, 30, 0, asx.Sydney())
	until := from.Add(30 * time.Minute) // 3 minutes of real time at speed 10

	// The board's time of BHP's last event.
	deadline := time.Now().Add(60 * time.Second)
	var shown string
	for time.Now().Before(deadline) {
		if q, ok := app.Hub.Quote("BHP"); ok && !q.Time.IsZero() && q.Volume > 0 {
			doc := mustDoc(t, b.get("/markets").body)
			shown = strings.TrimSpace(doc.Find(`#q-BHP td:last-child`).Text())
			if got, want := doc.Find(`[data-testid="board-session"]`).Text(), "session of "+day.In(asx.Sydney()).Format("Mon 2 Jan 2006"); !strings.Contains(got, want) {
				t.Errorf("board session %q, want %q", got, want)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	at, err := time.ParseInLocation("15:04:05", shown, asx.Sydney())
	if err != nil {
		t.Fatalf("board time %q: %v", shown, err)
	}
	at = time.Date(y, m, d, at.Hour(), at.Minute(), at.Second(), 0, asx.Sydney())
	if at.Before(from.Truncate(time.Second)) || at.After(until) {
		t.Errorf("board shows %s, want a session time from 09:59:30 (the wall clock is %s)", shown, now.Format("15:04:05"))
	}

	// One-minute candles (rolled up every 2 s) are stamped in session time.
	var candles struct {
		Bars []struct {
			Time int64 `json:"time"` // Sydney wall-clock seconds
		} `json:"bars"`
	}
	deadline = time.Now().Add(30 * time.Second)
	for len(candles.Bars) == 0 && time.Now().Before(deadline) {
		if err := json.Unmarshal([]byte(b.get("/instruments/BHP/candles.json?interval=1m&range=1d").body), &candles); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(candles.Bars) == 0 {
		t.Fatal("no one-minute candles")
	}
	for _, c := range candles.Bars {
		local := time.Unix(c.Time, 0).UTC()
		wall := time.Date(y, m, d, local.Hour(), local.Minute(), 0, 0, asx.Sydney())
		if local.Day() != d || wall.Before(from.Truncate(time.Minute)) || wall.After(until) {
			t.Errorf("candle at %s, want on %d %s between 09:59 and %s", local.Format("2 15:04"), d, m, until.Format("15:04"))
		}
	}
	if label := mustDoc(t, b.get("/instruments/BHP/chart?interval=1m").body).Find(`[data-testid="sim-label"]`).Text(); !strings.Contains(label, "Simulated session") {
		t.Errorf("intraday chart label %q", label)
	}
}

package backtest_test

import (
	"math"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

// TestTwoStocksThreeDays checks every trade, cost and value of a run small
// enough to work by hand.
//
// Codes A and B over days 0..2; closes A 10, 10, 11 and B 20, 20, 19; XJO
// 7000, 7070, 7000. topk 1, n_drop 1, hold_thresh 1, risk_degree 0.95, deal
// at the close, $10,000, Qlib costs (buy 0.05 %, sell 0.15 %, min $5).
//
// Day 1 trades day 0's scores (A 0.9, B 0.1). Nothing is held, so the
// candidates are the best n_drop + topk − 0 = 2 codes, [A, B]; the bottom
// n_drop of [A, B] is B, not held, so nothing is sold; buy topk − 0 = 1: A.
// Cash per buy 10,000 × 0.95 / 1 = 9,500 → 950 shares at $10.00 = $9,500.00,
// cost max(9,500 × 0.0005 = 4.75, 5) = $5.00. Cash 10,000 − 9,500 − 5 =
// $495.00; stock 950 × 10 = $9,500; value $9,995.00. Return before cost
// (9,995 − 10,000 + 5) / 10,000 = 0; cost 5 / 10,000 = 0.0005.
//
// Day 2 trades day 1's scores (A 0.1, B 0.9). Held [A], held one close
// (days_held 1 ≥ hold_thresh 1). Candidates: 1 + 1 − 1 = 1 → [B]; combined
// [B, A]; bottom 1 is A → sell A: 950 × $11.00 = $10,450.00, cost 10,450 ×
// 0.0015 = 15.675 → $15.68; cash 495 + 10,450 − 15.68 = $10,929.32; gain
// 10,450 − 15.68 − 9,505 = $929.32. Buy 1 + 1 − 1 = 1: B with 10,929.32 ×
// 0.95 = 10,382.854 → 546 shares at $19.00 (547 × 19 = 10,393 is too much)
// = $10,374.00, cost 10,374 × 0.0005 = 5.187 → $5.19. Cash 10,929.32 −
// 10,374 − 5.19 = $550.13; stock 546 × 19 = $10,374; value $10,924.13.
// Costs 15.68 + 5.19 = 20.87; return before cost (10,924.13 − 9,995 + 20.87)
// / 9,995 = 950 / 9,995; turnover (10,450 + 10,374) / 9,995.
func TestTwoStocksThreeDays(t *testing.T) {
	d := mustData(t, []string{"A", "B"},
		[][]float64{{10, 10, 11}, {20, 20, 19}},
		[][]float64{{0.9, 0.1}, {0.1, 0.9}, {0.5, 0.5}},
		[]float64{7000, 7070, 7000})
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.HoldThresh = 1, 1, 1
	p.InitialCash = dec("10000")
	res := mustRun(t, d, qlibCosts(p))

	want := []struct {
		side, code, price, value, cost string
		date, shares                   int64
	}{
		{"buy", "A", "10", "9500", "5", 1, 950},
		{"sell", "A", "11", "10450", "15.68", 2, 950},
		{"buy", "B", "19", "10374", "5.19", 2, 546},
	}
	if len(res.Trades) != len(want) {
		t.Fatalf("%d trades, want %d: %+v", len(res.Trades), len(want), res.Trades)
	}
	for i, w := range want {
		tr := res.Trades[i]
		if tr.Side != w.side || tr.Code != w.code || tr.Shares != w.shares || !tr.Date.Equal(day(int(w.date))) {
			t.Errorf("trade %d = %s %s %d on %s, want %s %s %d on day %d", i, tr.Side, tr.Code, tr.Shares,
				tr.Date.Format("2006-01-02"), w.side, w.code, w.shares, w.date)
		}
		assertDec(t, "price", tr.Price, w.price)
		assertDec(t, "value", tr.Value, w.value)
		assertDec(t, "cost", tr.Cost, w.cost)
	}
	assertDec(t, "gain of the sale", res.Trades[1].Gain, "929.32")

	days := res.Days
	assertDec(t, "day 0 value", days[0].Value, "10000")
	assertDec(t, "day 1 cash", days[1].Cash, "495")
	assertDec(t, "day 1 value", days[1].Value, "9995")
	assertDec(t, "day 2 cash", days[2].Cash, "550.13")
	assertDec(t, "day 2 value", days[2].Value, "10924.13")
	assertDec(t, "day 2 costs", days[2].Costs, "20.87")
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"day 1 return", days[1].Return, 0},
		{"day 1 cost", days[1].Cost, 0.0005},
		{"day 1 bench", days[1].BenchReturn, 0.01},
		{"day 2 return", days[2].Return, 950.0 / 9995},
		{"day 2 cost", days[2].Cost, 20.87 / 9995},
		{"day 2 turnover", days[2].Turnover, (10450.0 + 10374) / 9995},
		{"day 2 bench", days[2].BenchReturn, 7000.0/7070 - 1},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.12f, want %.12f", c.name, c.got, c.want)
		}
	}
	m := res.Metrics
	if m.Days != 2 || m.Trades != 3 {
		t.Errorf("metrics days %d trades %d, want 2 and 3", m.Days, m.Trades)
	}
	assertDec(t, "total costs", m.TotalCosts, "25.87")
	if want := 10924.13/10000 - 1; !near(float64(m.TotalReturn), want) {
		t.Errorf("total return %v, want %v", m.TotalReturn, want)
	}
	// Excess without cost: day 1 0 − 0.01, day 2 950/9995 − (7000/7070 − 1).
	ex1, ex2 := -0.01, 950.0/9995-(7000.0/7070-1)
	if got := float64(m.ExcessWithoutCost.Mean); !near(got, (ex1+ex2)/2) {
		t.Errorf("excess mean %v, want %v", got, (ex1+ex2)/2)
	}
	if got := float64(m.WinRate); got != 1 {
		t.Errorf("win rate %v, want 1 (the one sale made a gain)", got)
	}
	if len(res.Holdings) != 2 || res.Holdings[1].Code != "B" || res.Holdings[1].Shares != 546 {
		t.Errorf("holdings %+v, want A on day 1 and B (546) on day 2", res.Holdings)
	}
}

// TestCommSecBrokerage runs the first day of the example on CommSec's
// schedule: a $9,500 buy is in the $3,000–$10,000 tier, $19.95.
func TestCommSecBrokerage(t *testing.T) {
	d := mustData(t, []string{"A", "B"}, [][]float64{{10, 10}, {20, 20}}, [][]float64{{0.9, 0.1}, {0, 0}}, nil)
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.InitialCash = 1, 1, dec("10000")
	res := mustRun(t, d, p)
	assertDec(t, "cost", res.Trades[0].Cost, "19.95")
	assertDec(t, "cash", res.Days[1].Cash, "480.05")
}

// TestCashNeverNegative buys with risk_degree 1 and a minimum fee larger
// than the spare cash: the buy is cut to what cash and brokerage allow.
func TestCashNeverNegative(t *testing.T) {
	d := mustData(t, []string{"A"}, [][]float64{{1, 1}}, [][]float64{{1}, {1}}, nil)
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.RiskDegree, p.InitialCash = 1, 0, 1, dec("1000")
	p = qlibCosts(p)
	p.MinCost = dec("30")
	res := mustRun(t, d, p)
	// 1,000 × 1 / $1 = 1,000 shares would leave nothing for the $30 fee:
	// 970 shares + $30 = $1,000 exactly.
	if got := res.Trades[0].Shares; got != 970 {
		t.Errorf("bought %d shares, want 970", got)
	}
	assertDec(t, "cash", res.Days[1].Cash, "0")
}

// TestNoLookAhead scores each day with the next day's return (information
// nobody has at that close). The engine trades a day-t score only on day
// t+1, so it holds the stock over t+1 → t+2, and with returns that reverse
// every day it loses on every day it is invested, where trading on day t
// would have gained 10 % a day. Opens equal closes (every move happens
// overnight), so dealing at the open of t+1 allows no more than the close.
func TestNoLookAhead(t *testing.T) {
	const n = 12
	a, b := make([]float64, n), make([]float64, n)
	a[0], b[0] = 10, 10
	for i := 1; i < n; i++ {
		up := i%2 == 1
		a[i], b[i] = a[i-1]*1.1, b[i-1]*0.9
		if !up {
			a[i], b[i] = a[i-1]*0.9, b[i-1]*1.1
		}
	}
	scores := make([][]float64, n)
	for i := range scores {
		scores[i] = []float64{nan, nan}
		if i+1 < n {
			scores[i] = []float64{a[i+1]/a[i] - 1, b[i+1]/b[i] - 1}
		}
	}
	for _, deal := range []string{backtest.DealClose, backtest.DealOpen} {
		t.Run(deal, func(t *testing.T) {
			d := mustData(t, []string{"A", "B"}, [][]float64{a, b}, scores, nil)
			p := backtest.DefaultParams()
			p.TopK, p.NDrop, p.Brokerage, p.RiskDegree, p.DealPrice = 1, 1, backtest.BrokerageNone, 1, deal
			res := mustRun(t, d, p)
			for i := 2; i < n; i++ {
				if r := res.Days[i].Return; r > 1e-9 {
					t.Errorf("day %d return %.4f > 0: the engine profited from the look-ahead signal", i, r)
				}
			}
			if tr := float64(res.Metrics.TotalReturn); tr > -0.5 {
				t.Errorf("total return %.3f; trading at t+1 loses about 10 %% a day here", tr)
			}
			if res.Trades[0].Date != day(1) {
				t.Errorf("first trade on %s, want day 1 (the day after the first score)", res.Trades[0].Date)
			}
		})
	}
}

// TestHalts: A has no bar on day 2, when day 1's scores drop it for B. A
// cannot be sold that day (it stays held, valued at its last close) and is
// sold on day 3; B, halted on day 1, is not bought then.
//
// Day 1: buy the best two, A and B; B is halted, so only A, with half of 95 %
// of the cash. Day 2: held [A]; candidates 1 + 2 − 1 = 2: [B, C]; the bottom
// one of [B, C, A] is A, which is halted and kept; buys 1 + 2 − 1 = 2: B and
// C (as in Qlib, the blocked sale still counts, so three are held). Day 3:
// held A, B, C; no candidates (1 + 2 − 3 = 0); bottom of [B, C, A] is A,
// now trading → sold; no buys (1 + 2 − 3 = 0).
func TestHalts(t *testing.T) {
	d := mustData(t, []string{"A", "B", "C"},
		[][]float64{{10, 10, nan, 10, 10}, {20, nan, 20, 20, 20}, {5, 5, 5, 5, 5}},
		[][]float64{{0.9, 0.8, 0.1}, {0.1, 0.9, 0.2}, {0.1, 0.9, 0.2}, {0.1, 0.9, 0.2}, {0, 0, 0}},
		nil)
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.Brokerage, p.InitialCash = 2, 1, backtest.BrokerageNone, dec("10000")
	res := mustRun(t, d, p)
	type trade struct {
		day        int
		side, code string
	}
	var got []trade
	for _, tr := range res.Trades {
		got = append(got, trade{int(tr.Date.Sub(day(0)).Hours() / 24), tr.Side, tr.Code})
	}
	want := []trade{{1, "buy", "A"}, {2, "buy", "B"}, {2, "buy", "C"}, {3, "sell", "A"}}
	if len(got) != len(want) {
		t.Fatalf("trades %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("trade %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A is valued at $10 on day 2, its last close.
	for _, h := range res.Holdings {
		if h.Code == "A" && h.Date.Equal(day(2)) {
			assertDec(t, "A's price on its halted day", h.Price, "10")
		}
	}
	assertDec(t, "A bought with half of 95 %", res.Trades[0].Value, "4750")
}

// TestNDropAndHoldThresh: with topk 2 and n_drop 1 at most one holding is
// replaced a day; with hold_thresh 3 a holding bought on day 1 is first sold
// on day 4, and the buys that its blocked sale counted on still happen (the
// book goes above topk, as in Qlib).
func TestNDropAndHoldThresh(t *testing.T) {
	const n = 7
	codes := []string{"A", "B", "C", "D"}
	closes := make([][]float64, len(codes))
	for c := range closes {
		closes[c] = make([]float64, n)
		for i := range closes[c] {
			closes[c][i] = 10
		}
	}
	// The ranking rotates completely every day.
	rot := [][]float64{{4, 3, 2, 1}, {1, 2, 3, 4}}
	scores := make([][]float64, n)
	for i := range scores {
		scores[i] = rot[i%2]
	}
	t.Run("n_drop", func(t *testing.T) {
		p := backtest.DefaultParams()
		p.TopK, p.NDrop, p.Brokerage = 2, 1, backtest.BrokerageNone
		res := mustRun(t, mustData(t, codes, closes, scores, nil), p)
		sells := map[string]int{}
		for _, tr := range res.Trades {
			if tr.Side == backtest.Sell {
				sells[tr.Date.Format("2006-01-02")]++
			}
		}
		for d, k := range sells {
			if k > 1 {
				t.Errorf("%d sales on %s, want at most n_drop = 1", k, d)
			}
		}
		if len(sells) == 0 {
			t.Error("no sales at all, though the ranking reverses daily")
		}
		for _, dd := range res.Days[1:] {
			if dd.Positions != 2 {
				t.Errorf("%s: %d positions, want topk 2", dd.Date.Format("2006-01-02"), dd.Positions)
			}
		}
	})
	t.Run("hold_thresh", func(t *testing.T) {
		p := backtest.DefaultParams()
		p.TopK, p.NDrop, p.HoldThresh, p.Brokerage = 1, 1, 3, backtest.BrokerageNone
		res := mustRun(t, mustData(t, codes, closes, scores, nil), p)
		firstSell := -1
		for _, tr := range res.Trades {
			if tr.Side == backtest.Sell && tr.Code == "A" {
				firstSell = int(tr.Date.Sub(day(0)).Hours() / 24)
				break
			}
		}
		if firstSell != 4 {
			t.Errorf("A (bought day 1) first sold on day %d, want 4 (held 3 closes)", firstSell)
		}
		if got := res.Days[2].Positions; got != 2 {
			t.Errorf("day 2 positions %d, want 2: the blocked sale still made room for a buy", got)
		}
	})
}

// TestRebalanceBaseline holds the top 2 in equal weight, rebalanced every 2
// days: it trades on days 1 (A, B), 3 (A out, C in) and 5 (C out, A in) and
// never on days 2 and 4, though day 1's scores already favour C.
func TestRebalanceBaseline(t *testing.T) {
	const n = 6
	codes := []string{"A", "B", "C"}
	closes := [][]float64{{10, 10, 10, 10, 10, 10}, {10, 10, 10, 10, 10, 10}, {10, 10, 10, 10, 10, 10}}
	scores := [][]float64{{3, 2, 1}, {1, 2, 3}, {1, 2, 3}, {1, 2, 3}, {3, 2, 1}, {0, 0, 0}}
	p := backtest.DefaultParams()
	p.Strategy, p.TopK, p.RebalanceEvery, p.Brokerage, p.InitialCash = backtest.TopkRebalance, 2, 2, backtest.BrokerageNone, dec("10000")
	res := mustRun(t, mustData(t, codes, closes, scores, nil), p)
	days := map[int]bool{}
	for _, tr := range res.Trades {
		days[int(tr.Date.Sub(day(0)).Hours()/24)] = true
	}
	for d := range days {
		if d%2 == 0 {
			t.Errorf("a trade on day %d; rebalances are on days 1, 3 and 5", d)
		}
	}
	if !days[1] || !days[3] || !days[5] {
		t.Errorf("trades on days %v, want 1, 3 and 5", days)
	}
	// Day 1: A and B at 10,000 × 0.95 / 2 = 4,750 → 475 shares each.
	if tr := res.Trades[0]; tr.Code != "A" || tr.Shares != 475 {
		t.Errorf("first trade %s %d, want A 475", tr.Code, tr.Shares)
	}
	last := res.Days[n-1]
	if last.Positions != 2 {
		t.Errorf("%d positions at the end, want 2", last.Positions)
	}
}

func TestBadParams(t *testing.T) {
	d := mustData(t, []string{"A"}, [][]float64{{1, 1}}, [][]float64{{1}, {1}}, nil)
	cases := []struct {
		field string
		edit  func(*backtest.Params)
	}{
		{"topk", func(p *backtest.Params) { p.TopK = 0 }},
		{"n_drop", func(p *backtest.Params) { p.NDrop = p.TopK + 1 }},
		{"n_drop", func(p *backtest.Params) { p.NDrop = -1 }},
		{"hold_thresh", func(p *backtest.Params) { p.HoldThresh = -1 }},
		{"risk_degree", func(p *backtest.Params) { p.RiskDegree = 1.5 }},
		{"risk_degree", func(p *backtest.Params) { p.RiskDegree = 0 }},
		{"deal_price", func(p *backtest.Params) { p.DealPrice = "vwap" }},
		{"method_sell", func(p *backtest.Params) { p.MethodSell = "random" }},
		{"method_buy", func(p *backtest.Params) { p.MethodBuy = "random" }},
		{"strategy", func(p *backtest.Params) { p.Strategy = "momentum" }},
		{"initial_cash", func(p *backtest.Params) { p.InitialCash = dec("-1") }},
		{"initial_cash", func(p *backtest.Params) { p.InitialCash = dec("100.001") }},
		{"brokerage", func(p *backtest.Params) { p.Brokerage = "nabtrade" }},
		{"open_cost", func(p *backtest.Params) { *p = qlibCosts(*p); p.OpenCost = dec("0.5") }},
		{"min_cost", func(p *backtest.Params) { *p = qlibCosts(*p); p.MinCost = dec("-5") }},
		{"rebalance_every", func(p *backtest.Params) { p.Strategy = backtest.TopkRebalance; p.RebalanceEvery = -2 }},
		{"cgt_window_days", func(p *backtest.Params) { p.CGTAware = true; p.CGTWindowDays = 400 }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			p := backtest.DefaultParams()
			c.edit(&p)
			_, err := backtest.Run(t.Context(), d, p, nil)
			assertField(t, err, c.field)
		})
	}
	t.Run("one day", func(t *testing.T) {
		one := mustData(t, []string{"A"}, [][]float64{{1}}, [][]float64{{1}}, nil)
		_, err := backtest.Run(t.Context(), one, backtest.DefaultParams(), nil)
		assertField(t, err, "start")
	})
}

func TestRiskAnalysis(t *testing.T) {
	// mean 0.02/3; deviations 1/300, −8/300, 7/300 → var (1 + 64 + 49) /
	// 90000 / 2; cumsum 0.01, −0.01, 0.02 → deepest fall −0.02.
	r := backtest.RiskAnalysis([]float64{0.01, -0.02, 0.03})
	mean, std := 0.02/3, math.Sqrt(114.0/90000/2)
	if !near(float64(r.Mean), mean) || !near(float64(r.Std), std) || !near(float64(r.MaxDrawdown), -0.02) ||
		!near(float64(r.AnnualizedReturn), mean*252) || !near(float64(r.InformationRatio), mean/std*math.Sqrt(252)) {
		t.Errorf("RiskAnalysis = %+v, want mean %v std %v mdd -0.02", r, mean, std)
	}
}

// TestOnlyTradable: D has no bars after day 1 and no scores (delisted, or
// past the end of its data). Held with topk 2 and n_drop 1, it is the
// bottom of the combined ranking every day: Qlib's default keeps choosing it
// as the drop, cannot sell it and so never trades again; with only_tradable
// the drop is the lowest holding that trades, and the strategy goes on.
func TestOnlyTradable(t *testing.T) {
	closes := [][]float64{{10, 10, 10, 10, 10, 10}, {10, 10, 10, 10, 10, 10}, {10, 10, 10, 10, 10, 10}, {10, 10, nan, nan, nan, nan}}
	scores := [][]float64{
		{1, 0, 0, 2},   // day 1 buys D and A
		{1, 3, 0, nan}, // D is gone from day 2 on
		{3, 1, 2, nan},
		{1, 3, 2, nan},
		{3, 1, 2, nan},
		{0, 0, 0, nan},
	}
	count := func(p backtest.Params) int {
		res := mustRun(t, mustData(t, []string{"A", "B", "C", "D"}, closes, scores, nil), p)
		n := 0
		for _, tr := range res.Trades {
			if tr.Date.After(day(2)) {
				n++
			}
		}
		return n
	}
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.Brokerage = 2, 1, backtest.BrokerageNone
	if n := count(p); n != 0 {
		t.Errorf("Qlib's default traded %d times after day 2; D should block every drop", n)
	}
	p.OnlyTradable = true
	if n := count(p); n < 4 {
		t.Errorf("only_tradable traded %d times after day 2, want a swap a day", n)
	}
}

// TestAdjustedDealPrice: with a factor of 0.5 (a 2-for-1 split after the
// day), an adjusted close of $0.0213 is a raw $0.0426, not on the grid (a
// tenth of a cent below 10c): the raw price rounds to $0.043 and the deal
// price is $0.0215. Without the factor the adjusted price itself rounds, to
// $0.021 — a 2.3 % error that the factor avoids.
func TestAdjustedDealPrice(t *testing.T) {
	d := mustData(t, []string{"A"}, [][]float64{{0.0213, 0.0213}}, [][]float64{{1}, {1}}, nil)
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.Brokerage, p.InitialCash = 1, 0, backtest.BrokerageNone, dec("1000")
	if got := mustRun(t, d, p).Trades[0].Price; !got.Equal(dec("0.021")) {
		t.Errorf("raw deal price %s, want 0.021", got)
	}
	d.Factor = [][]float64{{0.5, 0.5}}
	tr := mustRun(t, d, p).Trades[0]
	if !tr.Price.Equal(dec("0.0215")) {
		t.Errorf("adjusted deal price %s, want 0.0215", tr.Price)
	}
	// 950 / 0.0215 = 44,186 shares; 44,186 × 0.0215 = 949.999, to the cent 950.00.
	if tr.Shares != 44186 || !tr.Value.Equal(dec("950")) {
		t.Errorf("bought %d for %s, want 44186 for 950.00 (the consideration to the cent)", tr.Shares, tr.Value)
	}
}

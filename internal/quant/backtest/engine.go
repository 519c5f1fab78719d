package backtest

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// rebalanceBand is how far a baseline holding may drift from its target
// weight (as a fraction of the target) before a rebalance trades it, so that
// a rebalance does not pay minimum brokerage on a few shares.
const rebalanceBand = 0.05

// Progress reports how many of the run's days are done.
type Progress func(done, total int)

// lot is shares bought together; Cost is their cost base (value plus buy
// brokerage).
type lot struct {
	date   time.Time
	shares int64
	cost   decimal.Decimal
}

// position is one instrument held.
type position struct {
	shares int64
	days   int // closes passed while held (Qlib's count_day)
	lots   []lot
}

type pending struct {
	div    Dividend
	shares int64
}

// engine is one run's state.
type engine struct {
	d        *Data
	p        Params
	fee      fees.Schedule
	cash     decimal.Decimal
	pos      []position
	held     []int // code indices held, ascending
	last     []float64
	divs     []Dividend // by ex-date
	divCode  map[string]int
	nextDiv  int
	pend     []pending
	dayCost  decimal.Decimal
	dayTrade decimal.Decimal
	dayDiv   decimal.Decimal
	res      *Result
	buf      []int
}

// Run simulates p over d. Bad parameters are apperr Invalid errors naming
// the field; ctx cancels the run between days. progress may be nil.
func Run(ctx context.Context, d *Data, p Params, progress Progress) (*Result, error) {
	p = p.Normalise()
	if err := p.Check(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	schedule, err := p.Schedule()
	if err != nil {
		return nil, err
	}
	e := &engine{d: d, p: p, fee: schedule, cash: p.InitialCash.Round(2),
		pos: make([]position, len(d.Codes)), last: nanSlice(len(d.Codes)),
		res: &Result{Params: p, BenchCode: d.BenchCode, Trades: []Trade{}, Holdings: []Holding{}, Dividends: []DividendPaid{}}}
	e.indexDividends()
	n := len(d.Dates)
	e.res.Days = make([]Day, 0, n)
	e.markPrices(0)
	e.close(0)
	for t := 1; t < n; t++ {
		if t%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(t, n)
			}
		}
		e.dayCost, e.dayTrade, e.dayDiv = decimal.Zero, decimal.Zero, decimal.Zero
		e.dividends(t)
		switch p.Strategy {
		case TopkDropout:
			e.topkDropout(t)
		case TopkRebalance:
			if (t-1)%p.RebalanceEvery == 0 {
				e.rebalance(t)
			}
		}
		for _, c := range e.held {
			e.pos[c].days++
		}
		e.markPrices(t)
		e.close(t)
	}
	if progress != nil {
		progress(n, n)
	}
	e.res.Metrics = computeMetrics(e.res, d)
	return e.res, nil
}

// markPrices remembers each code's latest close, for valuing halted holdings.
func (e *engine) markPrices(t int) {
	for c := range e.d.Codes {
		if px := e.d.Close[c][t]; traded(px) {
			e.last[c] = px
		}
	}
}

// close values the account at day t's close and records the day.
func (e *engine) close(t int) {
	stock := decimal.Zero
	date := e.d.Dates[t]
	for _, c := range e.held {
		ps := e.pos[c]
		px := decimal.Zero
		if !math.IsNaN(e.last[c]) {
			px = decimal.NewFromFloat(e.last[c]).Round(6)
		}
		v := px.Mul(decimal.NewFromInt(ps.shares)).Round(2)
		stock = stock.Add(v)
		e.res.Holdings = append(e.res.Holdings, Holding{Date: date, Code: e.d.Codes[c], Shares: ps.shares,
			Price: px, Value: v, DaysHeld: ps.days})
	}
	day := Day{Date: date, Value: e.cash.Add(stock), Cash: e.cash, StockValue: stock, Costs: e.dayCost,
		Traded: e.dayTrade, Dividends: e.dayDiv, Positions: len(e.held), Bench: e.d.Bench[t]}
	if t > 0 {
		prev := e.res.Days[t-1]
		pv := prev.Value.InexactFloat64()
		if pv > 0 {
			day.Cost = e.dayCost.InexactFloat64() / pv
			day.Return = day.Value.Sub(prev.Value).Add(e.dayCost).InexactFloat64() / pv
			day.Turnover = e.dayTrade.InexactFloat64() / pv
		}
		if traded(prev.Bench) && traded(day.Bench) {
			day.BenchReturn = day.Bench/prev.Bench - 1
		}
	}
	e.res.Days = append(e.res.Days, day)
}

// dealPrice is the price code c trades at on day t, on the ASX price grid;
// ok is false when it did not trade.
func (e *engine) dealPrice(c, t int) (decimal.Decimal, bool) {
	px := e.d.Close[c][t]
	if e.p.DealPrice == DealOpen {
		px = e.d.Open[c][t]
	}
	if !traded(px) || !traded(e.d.Close[c][t]) {
		return decimal.Zero, false
	}
	if e.d.Factor != nil {
		if f := e.d.Factor[c][t]; traded(f) && f != 1 {
			raw := asx.RoundToTick(decimal.NewFromFloat(px/f), asx.Nearest)
			return raw.Mul(decimal.NewFromFloat(f)).Round(6), true
		}
	}
	return asx.RoundToTick(decimal.NewFromFloat(px), asx.Nearest), true
}

func (e *engine) tradable(c, t int) bool {
	_, ok := e.dealPrice(c, t)
	return ok
}

// sell sells n shares of code c (its oldest lots first) on day t.
func (e *engine) sell(c, t int, n int64) {
	ps := &e.pos[c]
	price, ok := e.dealPrice(c, t)
	if !ok || n <= 0 || ps.shares == 0 {
		return
	}
	n = min(n, ps.shares)
	value := price.Mul(decimal.NewFromInt(n)).Round(2) // the consideration, to the cent
	cost := e.fee.Fee(fees.Sell, value)
	base := decimal.Zero
	left := n
	for left > 0 {
		l := &ps.lots[0]
		if l.shares <= left {
			base = base.Add(l.cost)
			left -= l.shares
			ps.lots = ps.lots[1:]
			continue
		}
		part := l.cost.Mul(decimal.NewFromInt(left)).Div(decimal.NewFromInt(l.shares)).Round(2)
		base = base.Add(part)
		l.cost = l.cost.Sub(part)
		l.shares -= left
		left = 0
	}
	ps.shares -= n
	e.cash = e.cash.Add(value).Sub(cost)
	e.dayCost, e.dayTrade = e.dayCost.Add(cost), e.dayTrade.Add(value)
	e.res.Trades = append(e.res.Trades, Trade{Date: e.d.Dates[t], Code: e.d.Codes[c], Side: Sell, Shares: n,
		Price: price, Value: value, Cost: cost, Gain: value.Sub(cost).Sub(base)})
	if ps.shares == 0 {
		*ps = position{}
		if i, found := slices.BinarySearch(e.held, c); found {
			e.held = slices.Delete(e.held, i, i+1)
		}
	}
}

// buy buys as many whole shares of code c on day t as target dollars buy,
// fewer when the cash (after brokerage) does not stretch that far.
func (e *engine) buy(c, t int, target decimal.Decimal) {
	price, ok := e.dealPrice(c, t)
	if !ok || !target.IsPositive() {
		return
	}
	n := target.Div(price).Floor().IntPart()
	n = e.affordable(n, price)
	if n <= 0 {
		return
	}
	value := price.Mul(decimal.NewFromInt(n)).Round(2) // the consideration, to the cent
	cost := e.fee.Fee(fees.Buy, value)
	e.cash = e.cash.Sub(value).Sub(cost)
	e.dayCost, e.dayTrade = e.dayCost.Add(cost), e.dayTrade.Add(value)
	ps := &e.pos[c]
	if ps.shares == 0 {
		i, _ := slices.BinarySearch(e.held, c)
		e.held = slices.Insert(e.held, i, c)
	}
	ps.shares += n
	ps.lots = append(ps.lots, lot{date: e.d.Dates[t], shares: n, cost: value.Add(cost)})
	e.res.Trades = append(e.res.Trades, Trade{Date: e.d.Dates[t], Code: e.d.Codes[c], Side: Buy, Shares: n,
		Price: price, Value: value, Cost: cost})
}

// affordable returns the most shares, up to n, whose value and brokerage the
// cash covers. Brokerage never falls as the value rises, so the largest
// affordable count is found by bisection.
func (e *engine) affordable(n int64, price decimal.Decimal) int64 {
	fits := func(k int64) bool {
		v := price.Mul(decimal.NewFromInt(k)).Round(2)
		return v.Add(e.fee.Fee(fees.Buy, v)).LessThanOrEqual(e.cash)
	}
	if n <= 0 || fits(n) {
		return n
	}
	lo, hi := int64(0), n // fits(lo), !fits(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// byScore orders code indices by score s, best first; missing scores last,
// ties by code.
func byScore(s []float64) func(a, b int) int {
	return func(a, b int) int {
		x, y := s[a], s[b]
		xn, yn := math.IsNaN(x), math.IsNaN(y)
		switch {
		case xn && yn:
			return cmp.Compare(a, b)
		case xn:
			return 1
		case yn:
			return -1
		case x != y:
			return cmp.Compare(y, x)
		}
		return cmp.Compare(a, b)
	}
}

// topkDropout is Qlib's TopkDropoutStrategy for day t, on the scores of day
// t-1: keep the holdings ranked by score, take the n_drop+topk-held best
// instruments not held as candidates, sell the holdings that fall in the
// bottom n_drop of holdings and candidates together, and buy as many of the
// best candidates as brings the count back to topk, splitting risk_degree of
// the cash left after the sales equally. Holdings that cannot trade on day t
// are neither sold nor counted out; candidates that cannot trade are skipped
// (their share of the cash stays in cash), as in Qlib with only_tradable
// false; with OnlyTradable, candidates and drops are chosen among the
// instruments that trade on day t. n_drop 0 drops nothing (Qlib's list[-0:]
// would select everything).
func (e *engine) topkDropout(t int) {
	s := e.d.Scores[t-1]
	p := e.p
	// One ordering of every code by score serves the three sorted lists
	// Qlib builds (holdings, candidates, both together).
	order := e.order(s)
	last := make([]int, 0, len(e.held))
	for _, c := range order {
		if e.pos[c].shares > 0 {
			last = append(last, c)
		}
	}
	want := max(0, p.NDrop+p.TopK-len(last))
	today := make([]int, 0, want)
	pick := make(map[int]bool, want)
	for _, c := range order {
		if len(today) == want {
			break
		}
		if e.pos[c].shares == 0 && !math.IsNaN(s[c]) && (!p.OnlyTradable || e.tradable(c, t)) {
			today = append(today, c)
			pick[c] = true
		}
	}
	comb := make([]int, 0, len(last)+len(today))
	for _, c := range order {
		if e.pos[c].shares > 0 || pick[c] {
			comb = append(comb, c)
		}
	}
	// The bottom n_drop of the combined list (with only_tradable, of its
	// instruments that trade today), of which the holdings are sold.
	sell := make(map[int]bool, p.NDrop)
	for i, k := len(comb)-1, 0; i >= 0 && k < p.NDrop; i-- {
		c := comb[i]
		if p.OnlyTradable && !e.tradable(c, t) {
			continue
		}
		k++
		if e.pos[c].shares > 0 {
			sell[c] = true
		}
	}
	if p.CGTAware {
		for c := range sell {
			if e.keepForDiscount(c, t) {
				delete(sell, c)
				e.res.Deferred++
			}
		}
	}
	nb := min(max(0, len(sell)+p.TopK-len(last)), len(today))
	buy := today[:nb]
	for _, c := range slices.Clone(e.held) {
		if !sell[c] || !e.tradable(c, t) || e.pos[c].days < p.HoldThresh {
			continue
		}
		e.sell(c, t, e.pos[c].shares)
	}
	if len(buy) == 0 {
		return
	}
	per := e.cash.Mul(decimal.NewFromFloat(p.RiskDegree)).Div(decimal.NewFromInt(int64(len(buy))))
	for _, c := range buy {
		e.buy(c, t, per)
	}
}

// keepForDiscount reports whether a CGT-aware run should keep holding c on
// day t: its shares show a gain at today's deal price and some of them reach
// the 12-month discount within the window.
func (e *engine) keepForDiscount(c, t int) bool {
	ps := e.pos[c]
	price, ok := e.dealPrice(c, t)
	if !ok {
		return false // it cannot be sold today anyway
	}
	value := price.Mul(decimal.NewFromInt(ps.shares))
	base := decimal.Zero
	for _, l := range ps.lots {
		base = base.Add(l.cost)
	}
	if !value.GreaterThan(base) {
		return false
	}
	today := e.d.Dates[t]
	horizon := today.AddDate(0, 0, e.p.CGTWindowDays)
	for _, l := range ps.lots {
		due := tax.DiscountDate(l.date)
		if due.After(today) && !due.After(horizon) {
			return true
		}
	}
	return false
}

// order returns every code index ordered by s (see byScore), reusing a
// buffer.
func (e *engine) order(s []float64) []int {
	if len(e.buf) != len(s) {
		e.buf = make([]int, len(s))
	}
	for i := range e.buf {
		e.buf[i] = i
	}
	slices.SortFunc(e.buf, byScore(s))
	return e.buf
}

// rebalance moves the baseline to the top-K scores of day t-1 in equal
// weight: risk_degree of the account's value at day t's deal prices, split
// K ways. Holdings out of the top K are sold; holdings in it are trimmed or
// topped up when they drift more than rebalanceBand from the target.
func (e *engine) rebalance(t int) {
	s := e.d.Scores[t-1]
	p := e.p
	var ranked []int
	for c := range e.d.Codes {
		if !math.IsNaN(s[c]) && e.tradable(c, t) {
			ranked = append(ranked, c)
		}
	}
	slices.SortFunc(ranked, byScore(s))
	target := ranked[:min(p.TopK, len(ranked))]
	in := make(map[int]bool, len(target))
	for _, c := range target {
		in[c] = true
	}
	total := e.cash
	for _, c := range e.held {
		px, ok := e.dealPrice(c, t)
		if !ok && !math.IsNaN(e.last[c]) {
			px = decimal.NewFromFloat(e.last[c])
		}
		total = total.Add(px.Mul(decimal.NewFromInt(e.pos[c].shares)))
	}
	per := total.Mul(decimal.NewFromFloat(p.RiskDegree)).Div(decimal.NewFromInt(int64(p.TopK)))
	want := func(c int) int64 {
		px, _ := e.dealPrice(c, t)
		return per.Div(px).Floor().IntPart()
	}
	for _, c := range slices.Clone(e.held) {
		if !e.tradable(c, t) {
			continue
		}
		if !in[c] {
			e.sell(c, t, e.pos[c].shares)
			continue
		}
		if w := want(c); float64(e.pos[c].shares) > float64(w)*(1+rebalanceBand) {
			e.sell(c, t, e.pos[c].shares-w)
		}
	}
	for _, c := range target {
		w := want(c)
		if have := e.pos[c].shares; float64(have) < float64(w)*(1-rebalanceBand) {
			px, _ := e.dealPrice(c, t)
			e.buy(c, t, px.Mul(decimal.NewFromInt(w-have)))
		}
	}
}

// indexDividends sorts the dividends of known codes by ex-date.
func (e *engine) indexDividends() {
	e.divCode = make(map[string]int, len(e.d.Codes))
	for i, c := range e.d.Codes {
		e.divCode[c] = i
	}
	for _, dv := range e.d.Dividends {
		if _, ok := e.divCode[dv.Code]; ok && dv.Amount.IsPositive() {
			e.divs = append(e.divs, dv)
		}
	}
	slices.SortStableFunc(e.divs, func(a, b Dividend) int { return a.ExDate.Compare(b.ExDate) })
	for e.nextDiv < len(e.divs) && !e.divs[e.nextDiv].ExDate.After(e.d.Dates[0]) {
		e.nextDiv++
	}
}

// dividends records the entitlements of ex-dates since the last trading day
// (the shares held at that close) and pays those whose pay date has come.
func (e *engine) dividends(t int) {
	now := e.d.Dates[t]
	for e.nextDiv < len(e.divs) && !e.divs[e.nextDiv].ExDate.After(now) {
		dv := e.divs[e.nextDiv]
		e.nextDiv++
		if sh := e.pos[e.divCode[dv.Code]].shares; sh > 0 {
			e.pend = append(e.pend, pending{div: dv, shares: sh})
		}
	}
	kept := e.pend[:0]
	for _, pd := range e.pend {
		if pd.div.PayDate.After(now) {
			kept = append(kept, pd)
			continue
		}
		cash := pd.div.Amount.Mul(decimal.NewFromInt(pd.shares)).Round(2)
		e.cash = e.cash.Add(cash)
		e.dayDiv = e.dayDiv.Add(cash)
		e.res.Dividends = append(e.res.Dividends, DividendPaid{Dividend: pd.div, Shares: pd.shares, Cash: cash})
	}
	e.pend = kept
}

package runs

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

// WriteTradesCSV writes trades with a header: date, code, side, shares,
// price, value, cost, gain (empty for buys).
func WriteTradesCSV(w io.Writer, trades []backtest.Trade) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "code", "side", "shares", "price", "value", "cost", "gain"})
	for _, t := range trades {
		gain := ""
		if t.Side == backtest.Sell {
			gain = t.Gain.StringFixed(2)
		}
		_ = cw.Write([]string{t.Date.Format(time.DateOnly), t.Code, t.Side, strconv.FormatInt(t.Shares, 10),
			t.Price.String(), t.Value.StringFixed(2), t.Cost.StringFixed(2), gain})
	}
	cw.Flush()
	return cw.Error()
}

// WriteDaysCSV writes the daily account values and returns.
func WriteDaysCSV(w io.Writer, days []backtest.Day) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "value", "cash", "costs", "dividends", "positions", "return", "cost", "turnover", "bench_close", "bench_return", "drawdown"})
	dd := backtest.Drawdowns(days)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i, d := range days {
		bench := ""
		if d.Bench == d.Bench { // not NaN
			bench = f(d.Bench)
		}
		_ = cw.Write([]string{d.Date.Format(time.DateOnly), d.Value.StringFixed(2), d.Cash.StringFixed(2),
			d.Costs.StringFixed(2), d.Dividends.StringFixed(2), strconv.Itoa(d.Positions), f(d.Return), f(d.Cost),
			f(d.Turnover), bench, f(d.BenchReturn), f(dd[i])})
	}
	cw.Flush()
	return cw.Error()
}

// WriteHoldingsCSV writes the positions held at each close.
func WriteHoldingsCSV(w io.Writer, hs []backtest.Holding) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "code", "shares", "price", "value", "days_held"})
	for _, h := range hs {
		_ = cw.Write([]string{h.Date.Format(time.DateOnly), h.Code, strconv.FormatInt(h.Shares, 10), h.Price.String(),
			h.Value.StringFixed(2), strconv.Itoa(h.DaysHeld)})
	}
	cw.Flush()
	return cw.Error()
}

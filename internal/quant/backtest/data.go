package backtest

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Data is what a run reads. Days are the trading days of the run, ascending;
// day 0 is the base day (see the package doc). Prices and scores are indexed
// [code][day] and [day][code]; NaN (or a price that is not positive) means
// the instrument did not trade that day, or was not scored.
type Data struct {
	Dates []time.Time
	Codes []string
	Open  [][]float64
	Close [][]float64
	// Scores[t][c] is the score of Codes[c] dated Dates[t], traded on day t+1.
	Scores [][]float64
	// Bench holds the benchmark's close on each day (NaN where missing);
	// BenchCode names it (XJO).
	Bench     []float64
	BenchCode string
	// Factor, when set ([code][day]), is each day's price adjustment factor:
	// Open and Close are adjusted (raw × factor), and deal prices are put on
	// the ASX price grid as raw prices (price ÷ factor, rounded to its step,
	// × factor). Nil means the prices are raw.
	Factor [][]float64
	// Dividends are cash dividends on the codes (optional). A holder at the
	// close before the ex-date is paid on the pay date, when that falls in
	// the run.
	Dividends []Dividend
}

// Dividend is one cash dividend per share, FrankingPct (0–100) of it franked.
type Dividend struct {
	Code        string          `json:"code"`
	ExDate      time.Time       `json:"ex_date"`
	PayDate     time.Time       `json:"pay_date"`
	Amount      decimal.Decimal `json:"amount"`
	FrankingPct decimal.Decimal `json:"franking_pct"`
}

// check reports data that cannot be run: too few days, ragged arrays.
func (d *Data) check() error {
	n, m := len(d.Dates), len(d.Codes)
	if n < 2 {
		return apperr.FieldError("start", "the range holds %d trading days with data; a backtest needs at least 2", n)
	}
	if m == 0 {
		return apperr.FieldError("model", "no instruments were scored in the range")
	}
	if len(d.Open) != m || len(d.Close) != m || len(d.Scores) != n || len(d.Bench) != n {
		return fmt.Errorf("backtest: data shapes differ: %d codes, %d open, %d close, %d days, %d score days, %d bench",
			m, len(d.Open), len(d.Close), n, len(d.Scores), len(d.Bench))
	}
	for c := range m {
		if len(d.Open[c]) != n || len(d.Close[c]) != n {
			return fmt.Errorf("backtest: prices of %s have %d/%d days, want %d", d.Codes[c], len(d.Open[c]), len(d.Close[c]), n)
		}
	}
	if d.Factor != nil {
		if len(d.Factor) != m {
			return fmt.Errorf("backtest: factors of %d codes, want %d", len(d.Factor), m)
		}
		for c := range m {
			if len(d.Factor[c]) != n {
				return fmt.Errorf("backtest: factors of %s have %d days, want %d", d.Codes[c], len(d.Factor[c]), n)
			}
		}
	}
	for t := range n {
		if len(d.Scores[t]) != m {
			return fmt.Errorf("backtest: scores of day %d have %d codes, want %d", t, len(d.Scores[t]), m)
		}
		if t > 0 && !d.Dates[t].After(d.Dates[t-1]) {
			return fmt.Errorf("backtest: dates are not ascending at %s", d.Dates[t].Format(time.DateOnly))
		}
	}
	return nil
}

// NewData returns Data for codes over dates with every price and score NaN,
// ready to fill.
func NewData(dates []time.Time, codes []string) *Data {
	n, m := len(dates), len(codes)
	d := &Data{Dates: dates, Codes: codes, Open: make([][]float64, m), Close: make([][]float64, m),
		Scores: make([][]float64, n), Bench: nanSlice(n)}
	for c := range m {
		d.Open[c], d.Close[c] = nanSlice(n), nanSlice(n)
	}
	for t := range n {
		d.Scores[t] = nanSlice(m)
	}
	return d
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// traded reports whether p is a usable price.
func traded(p float64) bool { return p > 0 && !math.IsInf(p, 0) }

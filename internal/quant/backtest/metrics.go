package backtest

import (
	"encoding/json"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/quant/analysis"
)

// TradingDays is the number of trading days in a year for annualising, as
// in Qlib's risk_analysis for daily data.
const TradingDays = 252

// Num is a float64 that encodes NaN and infinities as JSON null.
type Num float64

// MarshalJSON writes a non-finite value as null.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Risk is Qlib's risk_analysis of a daily return series in its default
// "sum" mode: mean, sample std (ddof 1), annualised return mean × 252,
// information ratio mean / std × √252, and the maximum drawdown of the
// cumulative sum (cumsum − its running maximum; 0 or negative).
type Risk struct {
	Mean             Num `json:"mean"`
	Std              Num `json:"std"`
	AnnualizedReturn Num `json:"annualized_return"`
	InformationRatio Num `json:"information_ratio"`
	MaxDrawdown      Num `json:"max_drawdown"`
}

// RiskAnalysis computes Risk of r.
func RiskAnalysis(r []float64) Risk {
	mean, std := meanStd(r)
	out := Risk{Mean: Num(mean), Std: Num(std), AnnualizedReturn: Num(mean * TradingDays),
		InformationRatio: Num(mean / std * math.Sqrt(TradingDays)), MaxDrawdown: Num(math.NaN())}
	if len(r) > 0 {
		sum, peak, dd := 0.0, math.Inf(-1), 0.0
		for _, v := range r {
			sum += v
			peak = math.Max(peak, sum)
			dd = math.Min(dd, sum-peak)
		}
		out.MaxDrawdown = Num(dd)
	}
	return out
}

// Metrics summarise a run. Excess returns are the portfolio's daily return
// less the benchmark's, before costs (WithoutCost) and after (WithCost), as
// Qlib's analysis reports them. The absolute figures are after costs:
// TotalReturn and AnnualReturn compound the account value (AnnualReturn =
// (1 + total)^(252/days) − 1), Volatility is the annualised std of daily net
// returns, Sharpe is mean / std × √252 of them (risk-free rate 0), Sortino
// divides by the downside deviation (root mean square of the negative
// days) instead, Calmar is AnnualReturn / |MaxDrawdown|, and MaxDrawdown is
// the deepest fall of the account value from its running peak. Turnover is
// the mean daily traded value over the previous day's value. HitRate is the
// share of days the account beat the benchmark after costs; WinRate the
// share of sales that realised a gain. IC and Rank IC are the signal's daily
// correlation with LABEL0 (the next day's close-to-close return from t+1 to
// t+2, what a day-t score trades) over the same days, as Qlib's SigAnaRecord.
type Metrics struct {
	Days              int             `json:"days"`
	Start             time.Time       `json:"start"`
	End               time.Time       `json:"end"`
	InitialValue      decimal.Decimal `json:"initial_value"`
	FinalValue        decimal.Decimal `json:"final_value"`
	ExcessWithoutCost Risk            `json:"excess_return_without_cost"`
	ExcessWithCost    Risk            `json:"excess_return_with_cost"`
	TotalReturn       Num             `json:"total_return"`
	AnnualReturn      Num             `json:"annual_return"`
	GrossTotalReturn  Num             `json:"gross_total_return"`
	BenchTotalReturn  Num             `json:"bench_total_return"`
	BenchAnnualReturn Num             `json:"bench_annual_return"`
	Volatility        Num             `json:"volatility"`
	Sharpe            Num             `json:"sharpe"`
	Sortino           Num             `json:"sortino"`
	Calmar            Num             `json:"calmar"`
	MaxDrawdown       Num             `json:"max_drawdown"`
	Turnover          Num             `json:"turnover"`
	HitRate           Num             `json:"hit_rate"`
	WinRate           Num             `json:"win_rate"`
	Trades            int             `json:"trades"`
	TotalCosts        decimal.Decimal `json:"total_costs"`
	TotalDividends    decimal.Decimal `json:"total_dividends"`
	IC                Num             `json:"ic"`
	ICIR              Num             `json:"icir"`
	RankIC            Num             `json:"rank_ic"`
	RankICIR          Num             `json:"rank_icir"`
	ICDays            int             `json:"ic_days"`
}

// computeMetrics summarises res over the days after the base day.
func computeMetrics(res *Result, d *Data) Metrics {
	days := res.Days
	first, lastDay := days[0], days[len(days)-1]
	m := Metrics{Days: len(days) - 1, Start: first.Date, End: lastDay.Date,
		InitialValue: first.Value, FinalValue: lastDay.Value, Trades: len(res.Trades)}
	n := len(days) - 1
	gross, net := make([]float64, n), make([]float64, n)
	exNo, exWith := make([]float64, n), make([]float64, n)
	var turnover, down float64
	hits := 0
	grossCum, benchCum := 1.0, 1.0
	for i, dd := range days[1:] {
		gross[i], net[i] = dd.Return, dd.Net()
		exNo[i] = dd.Return - dd.BenchReturn
		exWith[i] = dd.Net() - dd.BenchReturn
		turnover += dd.Turnover
		if exWith[i] > 0 {
			hits++
		}
		if net[i] < 0 {
			down += net[i] * net[i]
		}
		grossCum *= 1 + dd.Return
		benchCum *= 1 + dd.BenchReturn
		m.TotalCosts = m.TotalCosts.Add(dd.Costs)
		m.TotalDividends = m.TotalDividends.Add(dd.Dividends)
	}
	m.ExcessWithoutCost, m.ExcessWithCost = RiskAnalysis(exNo), RiskAnalysis(exWith)
	total := lastDay.Value.Div(first.Value).InexactFloat64() - 1
	m.TotalReturn = Num(total)
	m.AnnualReturn = Num(annualise(total, n))
	m.GrossTotalReturn = Num(grossCum - 1)
	m.BenchTotalReturn = Num(benchCum - 1)
	m.BenchAnnualReturn = Num(annualise(benchCum-1, n))
	mean, std := meanStd(net)
	m.Volatility = Num(std * math.Sqrt(TradingDays))
	m.Sharpe = Num(mean / std * math.Sqrt(TradingDays))
	m.Sortino = Num(math.NaN())
	if n > 0 && down > 0 {
		m.Sortino = Num(mean / math.Sqrt(down/float64(n)) * math.Sqrt(TradingDays))
	}
	m.MaxDrawdown = Num(valueDrawdown(days))
	m.Calmar = Num(math.NaN())
	if m.MaxDrawdown < 0 {
		m.Calmar = Num(float64(m.AnnualReturn) / -float64(m.MaxDrawdown))
	}
	m.Turnover, m.HitRate = Num(math.NaN()), Num(math.NaN())
	if n > 0 {
		m.Turnover = Num(turnover / float64(n))
		m.HitRate = Num(float64(hits) / float64(n))
	}
	sells, wins := 0, 0
	for _, tr := range res.Trades {
		if tr.Side == Sell {
			sells++
			if tr.Gain.IsPositive() {
				wins++
			}
		}
	}
	m.WinRate = Num(math.NaN())
	if sells > 0 {
		m.WinRate = Num(float64(wins) / float64(sells))
	}
	ic := analysis.Summarise(signalIC(d))
	m.ICDays = ic.Days
	m.IC, m.ICIR, m.RankIC, m.RankICIR = Num(math.NaN()), Num(math.NaN()), Num(math.NaN()), Num(math.NaN())
	if ic.Days > 0 {
		m.IC, m.RankIC = Num(ic.IC), Num(ic.RankIC)
		m.ICIR, m.RankICIR = Num(ic.ICIR), Num(ic.RankICIR)
	}
	return m
}

// annualise compounds a total return over n trading days to a year.
func annualise(total float64, n int) float64 {
	if n <= 0 || total <= -1 {
		return math.NaN()
	}
	return math.Pow(1+total, TradingDays/float64(n)) - 1
}

// valueDrawdown is the deepest fall of the account value from its running
// peak, as a fraction (0 or negative).
func valueDrawdown(days []Day) float64 {
	peak, dd := 0.0, 0.0
	for _, d := range days {
		v := d.Value.InexactFloat64()
		peak = math.Max(peak, v)
		if peak > 0 {
			dd = math.Min(dd, v/peak-1)
		}
	}
	return dd
}

// Drawdowns returns each day's fall of the account value from its running
// peak, for the drawdown chart.
func Drawdowns(days []Day) []float64 {
	out := make([]float64, len(days))
	peak := 0.0
	for i, d := range days {
		v := d.Value.InexactFloat64()
		peak = math.Max(peak, v)
		if peak > 0 {
			out[i] = v/peak - 1
		}
	}
	return out
}

// signalIC is the daily IC of the traded scores (days 0..n-2) against
// LABEL0 = close[t+2] / close[t+1] − 1.
func signalIC(d *Data) []analysis.DayIC {
	var dates []time.Time
	var score, label []float64
	n := len(d.Dates)
	for t := 0; t+1 < n; t++ {
		for c := range d.Codes {
			s := d.Scores[t][c]
			if math.IsNaN(s) {
				continue
			}
			l := math.NaN()
			if t+2 < n && traded(d.Close[c][t+1]) && traded(d.Close[c][t+2]) {
				l = d.Close[c][t+2]/d.Close[c][t+1] - 1
			}
			dates = append(dates, d.Dates[t])
			score = append(score, s)
			label = append(label, l)
		}
	}
	return analysis.DailyIC(dates, score, label)
}

// meanStd is the mean and the sample standard deviation (ddof 1).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}

// Month is one calendar month's compounded net and benchmark returns.
type Month struct {
	Year   int `json:"year"`
	Month  int `json:"month"`
	Return Num `json:"return"`
	Bench  Num `json:"bench"`
}

// Monthly compounds the daily net and benchmark returns by calendar month.
func Monthly(days []Day) []Month {
	var out []Month
	var r, b float64
	for i, d := range days {
		if i == 0 {
			continue
		}
		y, mo, _ := d.Date.Date()
		if len(out) == 0 || out[len(out)-1].Year != y || out[len(out)-1].Month != int(mo) {
			out = append(out, Month{Year: y, Month: int(mo)})
			r, b = 1, 1
		}
		r *= 1 + d.Net()
		b *= 1 + d.BenchReturn
		out[len(out)-1].Return, out[len(out)-1].Bench = Num(r-1), Num(b-1)
	}
	return out
}

package handlers

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// This file holds what the backtest pages, stream and API share: reading a
// backtest request (form or JSON) and the view models of a run.

// tradesPerPage is the trade list's page size.
const tradesPerPage = 50

// backtestInput is a backtest request as the API's JSON body and the page's
// form give it; absent settings take the engine's defaults.
type backtestInput struct {
	Model          string           `json:"model"`
	ModelVersionID int64            `json:"model_version_id"`
	Start          string           `json:"start"`
	End            string           `json:"end"`
	Strategy       string           `json:"strategy"`
	TopK           *int             `json:"topk"`
	NDrop          *int             `json:"n_drop"`
	HoldThresh     *int             `json:"hold_thresh"`
	RiskDegree     *float64         `json:"risk_degree"`
	RebalanceEvery *int             `json:"rebalance_every"`
	DealPrice      string           `json:"deal_price"`
	InitialCash    *decimal.Decimal `json:"initial_cash"`
	Brokerage      string           `json:"brokerage"`
	OpenCost       *decimal.Decimal `json:"open_cost"`
	CloseCost      *decimal.Decimal `json:"close_cost"`
	MinCost        *decimal.Decimal `json:"min_cost"`
	CGTAware       bool             `json:"cgt_aware"`
	OnlyTradable   bool             `json:"only_tradable"`
	CGTWindowDays  *int             `json:"cgt_window_days"`
	TaxRate        *decimal.Decimal `json:"tax_rate"`
}

// request turns the input into the domain's request; dates that do not
// parse are Invalid naming their field.
func (in backtestInput) request() (runs.Request, error) {
	d := backtest.DefaultParams()
	p := backtest.Params{Strategy: in.Strategy, TopK: d.TopK, NDrop: d.NDrop, HoldThresh: d.HoldThresh,
		MethodSell: d.MethodSell, MethodBuy: d.MethodBuy, RiskDegree: d.RiskDegree, RebalanceEvery: d.RebalanceEvery,
		DealPrice: in.DealPrice, InitialCash: d.InitialCash, Brokerage: in.Brokerage, OpenCost: d.OpenCost,
		CloseCost: d.CloseCost, MinCost: d.MinCost, CGTAware: in.CGTAware, CGTWindowDays: d.CGTWindowDays,
		OnlyTradable: in.OnlyTradable}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setDec := func(dst *decimal.Decimal, v *decimal.Decimal) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&p.TopK, in.TopK)
	setInt(&p.NDrop, in.NDrop)
	setInt(&p.HoldThresh, in.HoldThresh)
	setInt(&p.RebalanceEvery, in.RebalanceEvery)
	setInt(&p.CGTWindowDays, in.CGTWindowDays)
	if in.RiskDegree != nil {
		p.RiskDegree = *in.RiskDegree
	}
	setDec(&p.InitialCash, in.InitialCash)
	setDec(&p.OpenCost, in.OpenCost)
	setDec(&p.CloseCost, in.CloseCost)
	setDec(&p.MinCost, in.MinCost)
	req := runs.Request{Model: in.Model, ModelVersionID: in.ModelVersionID, Params: p}
	setDec(&req.TaxRate, in.TaxRate)
	var err error
	if req.Start, err = dateField("start", in.Start); err != nil {
		return req, err
	}
	if req.End, err = dateField("end", in.End); err != nil {
		return req, err
	}
	return req, nil
}

func dateField(name, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil // Check names the missing date
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || len(v) > 10 {
		return time.Time{}, apperr.FieldError(name, "%s must be a date as YYYY-MM-DD, not %q", name, v)
	}
	return t, nil
}

// backtestFormInput reads the page's form; a number that does not parse is
// Invalid naming its field.
func backtestFormInput(vals map[string]string) (backtestInput, error) {
	in := backtestInput{Model: vals["model"], Start: vals["start"], End: vals["end"], Strategy: vals["strategy"],
		DealPrice: vals["deal_price"], Brokerage: vals["brokerage"], CGTAware: vals["cgt_aware"] != "",
		OnlyTradable: vals["only_tradable"] != ""}
	for name, dst := range map[string]**int{"topk": &in.TopK, "n_drop": &in.NDrop, "hold_thresh": &in.HoldThresh,
		"rebalance_every": &in.RebalanceEvery} {
		v := strings.TrimSpace(vals[name])
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || len(v) > 9 {
			return in, apperr.FieldError(name, "%s must be a whole number, not %q", name, v)
		}
		*dst = &n
	}
	for name, dst := range map[string]**decimal.Decimal{"initial_cash": &in.InitialCash, "open_cost": &in.OpenCost,
		"close_cost": &in.CloseCost, "min_cost": &in.MinCost, "tax_rate": &in.TaxRate} {
		v := strings.TrimSpace(strings.ReplaceAll(vals[name], ",", ""))
		if v == "" {
			continue
		}
		d, err := decimal.NewFromString(v)
		if err != nil || len(v) > 32 {
			return in, apperr.FieldError(name, "%s must be a number, not %q", name, vals[name])
		}
		*dst = &d
	}
	if v := strings.TrimSpace(vals["risk_degree"]); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || len(v) > 12 {
			return in, apperr.FieldError("risk_degree", "risk_degree must be a number such as 0.95, not %q", v)
		}
		in.RiskDegree = &f
	}
	return in, nil
}

// backtestFormFields are the form's fields, in order.
var backtestFormFields = []string{"model", "start", "end", "strategy", "topk", "n_drop", "hold_thresh", "rebalance_every",
	"risk_degree", "deal_price", "initial_cash", "brokerage", "open_cost", "close_cost", "min_cost", "tax_rate", "cgt_aware",
	"only_tradable"}

// backtestDefaults are the form's first values.
func backtestDefaults(model string, start, end time.Time) map[string]string {
	d := backtest.DefaultParams()
	return map[string]string{"model": model, "start": start.Format(time.DateOnly), "end": end.Format(time.DateOnly),
		"strategy": d.Strategy, "topk": strconv.Itoa(d.TopK), "n_drop": strconv.Itoa(d.NDrop),
		"hold_thresh": strconv.Itoa(d.HoldThresh), "rebalance_every": strconv.Itoa(d.RebalanceEvery),
		"risk_degree": "0.95", "deal_price": d.DealPrice, "initial_cash": d.InitialCash.String(), "brokerage": d.Brokerage,
		"open_cost": d.OpenCost.String(), "close_cost": d.CloseCost.String(), "min_cost": d.MinCost.String(),
		"tax_rate": backtest.DefaultIndividualRate.String()}
}

func runURL(id int64) string { return "/backtests/" + strconv.FormatInt(id, 10) }

func strategyLabel(p backtest.Params) string {
	if p.Strategy == backtest.TopkRebalance {
		return "top " + strconv.Itoa(p.TopK) + ", rebalance every " + strconv.Itoa(p.RebalanceEvery)
	}
	s := "TopK-Dropout " + strconv.Itoa(p.TopK) + "/" + strconv.Itoa(p.NDrop)
	if p.OnlyTradable {
		s += " (only tradable)"
	}
	if p.CGTAware {
		s += " (CGT-aware)"
	}
	return s
}

func progressView(r runs.Run, csrf string) pages.BacktestProgressView {
	v := pages.BacktestProgressView{ID: r.ID, Status: r.Status, Stage: r.Stage, Message: r.Message, Step: r.Step,
		Total: r.Total, Done: r.Done(), Failed: r.Status == runs.Failed, Completed: r.Status == runs.Completed,
		ResultURL: runURL(r.ID), CancelURL: runURL(r.ID) + "/cancel", CSRF: csrf}
	if r.Total > 0 {
		v.Fraction = float64(r.Step) / float64(r.Total)
	}
	return v
}

func settingsRows(r runs.Run) []pages.MetricRow {
	s, p := r.Spec, r.Spec.Params
	rows := []pages.MetricRow{
		{Label: "Model", Value: s.ModelName + " v" + strconv.Itoa(s.ModelVersion) + " (version id " + strconv.FormatInt(s.ModelVersionID, 10) + ")"},
		{Label: "Range", Value: display.DateRange(s.Start, s.End)},
		{Label: "Strategy", Value: strategyLabel(p)},
		{Label: "hold_thresh · risk_degree · deal price", Value: strconv.Itoa(p.HoldThresh) + " · " + strconv.FormatFloat(p.RiskDegree, 'f', -1, 64) + " · " + p.DealPrice + " of day t+1"},
		{Label: "Starting cash", Value: display.Money(p.InitialCash)},
		{Label: "Brokerage", Value: brokerageLabel(p)},
		{Label: "Benchmark", Value: runs.Benchmark},
	}
	if r.DataFrom != nil && r.DataTo != nil {
		rows = append(rows, pages.MetricRow{Label: "Data (base day first)", Value: display.DateRange(*r.DataFrom, *r.DataTo)})
	}
	return rows
}

func brokerageLabel(p backtest.Params) string {
	if p.Brokerage == backtest.BrokerageQlibCosts {
		return "open_cost " + p.OpenCost.String() + ", close_cost " + p.CloseCost.String() + ", min_cost $" + p.MinCost.String()
	}
	return p.Brokerage
}

func num(v backtest.Num, digits int) string { return display.Num(float64(v), digits) }
func pct(v backtest.Num) string             { return display.Pct(float64(v)) }

func riskRows(m backtest.Metrics) []pages.RiskRow {
	a, b := m.ExcessWithoutCost, m.ExcessWithCost
	return []pages.RiskRow{
		{Label: "mean (daily)", Without: num(a.Mean, 6), With: num(b.Mean, 6)},
		{Label: "std (daily)", Without: num(a.Std, 6), With: num(b.Std, 6)},
		{Label: "annualized_return", Without: pct(a.AnnualizedReturn), With: pct(b.AnnualizedReturn)},
		{Label: "information_ratio", Without: num(a.InformationRatio, 3), With: num(b.InformationRatio, 3)},
		{Label: "max_drawdown", Without: pct(a.MaxDrawdown), With: pct(b.MaxDrawdown)},
	}
}

func figureRows(s runs.Summary) []pages.MetricRow {
	m := s.Metrics
	return []pages.MetricRow{
		{Label: "Value", Value: display.Money(m.InitialValue) + " → " + display.Money(m.FinalValue)},
		{Label: "Total return (after costs)", Value: pct(m.TotalReturn)},
		{Label: "Annual return", Value: pct(m.AnnualReturn)},
		{Label: "XJO total · annual", Value: pct(m.BenchTotalReturn) + " · " + pct(m.BenchAnnualReturn)},
		{Label: "Sharpe · Sortino · Calmar", Value: num(m.Sharpe, 2) + " · " + num(m.Sortino, 2) + " · " + num(m.Calmar, 2)},
		{Label: "Max drawdown · volatility", Value: pct(m.MaxDrawdown) + " · " + pct(m.Volatility)},
		{Label: "Turnover (daily mean)", Value: pct(m.Turnover)},
		{Label: "Hit rate (days beating XJO) · win rate (sales at a gain)", Value: pct(m.HitRate) + " · " + pct(m.WinRate)},
		{Label: "Trades · brokerage · dividends", Value: strconv.Itoa(m.Trades) + " · " + display.Money(m.TotalCosts) + " · " + display.Money(m.TotalDividends)},
		{Label: "Signal IC · ICIR (LABEL0, same days)", Value: num(m.IC, 4) + " · " + num(m.ICIR, 3)},
		{Label: "Signal Rank IC · ICIR", Value: num(m.RankIC, 4) + " · " + num(m.RankICIR, 3)},
		{Label: "Trading days · instruments", Value: strconv.Itoa(m.Days) + " · " + strconv.Itoa(s.Universe)},
	}
}

// curves are the chart lines of a run's days: cumulative net return, the
// XJO's and the drawdown, as JSON points.
func curves(days []backtest.Day) (value, bench, drawdown string) {
	v, b, d := make([]point, 0, len(days)), make([]point, 0, len(days)), make([]point, 0, len(days))
	dd := backtest.Drawdowns(days)
	base := days[0].Value.InexactFloat64()
	cum := 1.0
	for i, x := range days {
		t := x.Date.Format(time.DateOnly)
		v = append(v, point{t, x.Value.InexactFloat64()/base - 1})
		if i > 0 {
			cum *= 1 + x.BenchReturn
		}
		b = append(b, point{t, cum - 1})
		d = append(d, point{t, dd[i]})
	}
	return pointsJSON(v), pointsJSON(b), pointsJSON(d)
}

func monthlyRows(ms []backtest.Month) []pages.MonthRow {
	var out []pages.MonthRow
	year := 1.0
	for _, m := range ms {
		if len(out) == 0 || out[len(out)-1].Year != m.Year {
			if len(out) > 0 {
				out[len(out)-1].Year1 = monthCell(year-1, "")
			}
			out = append(out, pages.MonthRow{Year: m.Year})
			year = 1
		}
		year *= 1 + float64(m.Return)
		out[len(out)-1].Months[m.Month-1] = monthCell(float64(m.Return), "XJO "+pct(m.Bench))
	}
	if len(out) > 0 {
		out[len(out)-1].Year1 = monthCell(year-1, "")
	}
	return out
}

func monthCell(r float64, title string) pages.MonthCell {
	return pages.MonthCell{Text: display.Pct(r), Dir: display.Dir(r), Title: title}
}

func afterTaxViews(as []backtest.AfterTax) []pages.AfterTaxView {
	out := make([]pages.AfterTaxView, 0, len(as))
	for _, a := range as {
		name := "Individual"
		if a.Profile.Name == "smsf" {
			name = "SMSF (accumulation phase)"
		}
		v := pages.AfterTaxView{Profile: name, Rate: display.PctOf(a.Profile.Rate), Discount: display.PctOf(a.Profile.DiscountRate),
			TotalTax: display.Money(a.TotalTax), FinalValue: display.Money(a.FinalValue), Annual: pct(a.AnnualReturn),
			Liquidated: display.Money(a.LiquidatedValue), LiquidatedAnnual: pct(a.LiquidatedReturn), DividendNote: a.DividendNote}
		for _, y := range a.Years {
			v.Years = append(v.Years, pages.FYTaxRow{Label: y.Label, Discountable: display.Money(y.DiscountableGains),
				Other: display.Money(y.OtherGains), Losses: display.Money(y.CurrentLosses), Prior: display.Money(y.PriorLosses),
				Discount: display.Money(y.Discount), Net: display.Money(y.NetCapitalGain), Carried: display.Money(y.LossCarriedForward),
				Dividends: display.Money(y.Dividends), Franking: display.Money(y.FrankingCredits), Tax: display.SignedMoney(y.Tax)})
		}
		out = append(out, v)
	}
	return out
}

func compareRows(s runs.Summary) ([]pages.CompareRow, string) {
	v := s.Counterpart
	if v == nil {
		return nil, ""
	}
	label := "with CGT-aware dropout"
	if !v.CGTAware {
		label = "plain TopK-Dropout"
	}
	rows := []pages.CompareRow{
		{Label: "Drops deferred for the discount", This: strconv.Itoa(s.Deferred), Other: strconv.Itoa(v.Deferred)},
		{Label: "Annual return before tax", This: pct(s.Metrics.AnnualReturn), Other: pct(v.Metrics.AnnualReturn)},
		{Label: "Excess annualized (with cost)", This: pct(s.Metrics.ExcessWithCost.AnnualizedReturn), Other: pct(v.Metrics.ExcessWithCost.AnnualizedReturn)},
	}
	for i, a := range s.AfterTax {
		if i >= len(v.AfterTax) {
			break
		}
		b := v.AfterTax[i]
		rows = append(rows,
			pages.CompareRow{Label: a.Profile.Name + ": tax", This: display.Money(a.TotalTax), Other: display.Money(b.TotalTax)},
			pages.CompareRow{Label: a.Profile.Name + ": annual return after tax", This: pct(a.AnnualReturn), Other: pct(b.AnnualReturn)},
			pages.CompareRow{Label: a.Profile.Name + ": annual if sold at the end", This: pct(a.LiquidatedReturn), Other: pct(b.LiquidatedReturn)})
	}
	return rows, label
}

func tradeRows(ts []backtest.Trade) []pages.TradeRow {
	out := make([]pages.TradeRow, len(ts))
	for i, t := range ts {
		r := pages.TradeRow{Date: display.ShortDate(t.Date), Code: t.Code, Side: t.Side, Shares: display.Int(t.Shares),
			Price: display.TradePrice(t.Price), Value: display.Money(t.Value), Cost: display.Money(t.Cost)}
		if t.Side == backtest.Sell {
			r.Gain, r.GainDir = display.SignedMoney(t.Gain), display.DirOf(t.Gain)
		}
		out[i] = r
	}
	return out
}

// positionsView is the holdings at date (the last close when zero) with the
// month-end closes to choose from and the count of positions per day.
func positionsView(id int64, days []backtest.Day, hs []backtest.Holding, date time.Time) pages.BacktestPositionsView {
	v := pages.BacktestPositionsView{ID: id}
	counts := make([]point, 0, len(days))
	var value decimal.Decimal
	for i, d := range days {
		counts = append(counts, point{d.Date.Format(time.DateOnly), float64(d.Positions)})
		last := i == len(days)-1
		if last || days[i+1].Date.Month() != d.Date.Month() {
			v.Dates = append(v.Dates, components.Option{Value: d.Date.Format(time.DateOnly), Label: display.ShortDate(d.Date)})
		}
		if d.Date.Equal(date) {
			value = d.Value
		}
	}
	if date.IsZero() && len(days) > 0 {
		date, value = days[len(days)-1].Date, days[len(days)-1].Value
	}
	v.Date = date.Format(time.DateOnly)
	for _, h := range hs {
		if !h.Date.Equal(date) {
			continue
		}
		w := math.NaN()
		if value.IsPositive() {
			w = h.Value.Div(value).InexactFloat64()
		}
		v.Rows = append(v.Rows, pages.PositionRow{Code: h.Code, Shares: display.Int(h.Shares), Price: display.TradePrice(h.Price),
			Value: display.Money(h.Value), Weight: display.Num(w*100, 2) + "%", DaysHeld: strconv.Itoa(h.DaysHeld)})
	}
	v.Count = strconv.Itoa(len(v.Rows)) + " positions at the close of " + display.ShortDate(date)
	v.Points = pointsJSON(counts)
	return v
}

// summaryJSON is a run as the API answers it.
type summaryJSON struct {
	runs.Run
	Links map[string]string `json:"links"`
}

func runJSON(r runs.Run) summaryJSON {
	base := "/api/v1/backtests/" + strconv.FormatInt(r.ID, 10)
	return summaryJSON{Run: r, Links: map[string]string{"self": base, "returns": base + "/returns",
		"trades": base + "/trades", "positions": base + "/positions"}}
}

package pages

import (
	"github.com/a-h/templ"

	"github.com/qlibpro/qlibpro/views/components"
)

// BacktestProgressEvent is the SSE event that carries a run's progress
// partial.
const BacktestProgressEvent = "backtest-progress"

// BacktestsView is the backtests page: the form and the user's runs.
type BacktestsView struct {
	Form   components.Form
	Models []components.Option
	Runs   []BacktestRow
	CSRF   string
}

// BacktestRow is one run in the list.
type BacktestRow struct {
	ID                          int64
	URL                         string
	Model, Range, Strategy      string
	Status, Created             string
	TotalReturn, ExcessWithCost string
	Completed                   bool
}

// BacktestProgressView is a run's progress partial (#backtest-progress).
type BacktestProgressView struct {
	ID                      int64
	Status, Stage, Message  string
	Step, Total             int
	Fraction                float64
	Done, Failed, Completed bool
	ResultURL, CancelURL    string
	CSRF                    string
}

// BacktestView is a run's page.
type BacktestView struct {
	ID        int64
	Title     string
	Progress  BacktestProgressView
	StreamURL string
	Settings  []MetricRow
	Notes     []string
	Result    *BacktestResultView
}

// BacktestResultView is a completed run's results.
type BacktestResultView struct {
	ID             int64
	Risk           []RiskRow
	Figures        []MetricRow
	ValuePoints    string // JSON [{time, value}]: cumulative return
	BenchPoints    string
	DrawdownPoints string
	Monthly        []MonthRow
	AfterTax       []AfterTaxView
	Compare        []CompareRow
	CompareLabel   string
	Positions      BacktestPositionsView
	Trades         BacktestTradesView
	CSVURL         string
	APIURL         string
}

// RiskRow is one line of Qlib's risk_analysis, without and with costs.
type RiskRow struct {
	Label, Without, With string
}

// MonthRow is one year of monthly net returns.
type MonthRow struct {
	Year   int
	Months [12]MonthCell
	Year1  MonthCell
}

// MonthCell is one month's return.
type MonthCell struct {
	Text, Dir, Title string
}

// AfterTaxView is one tax profile's view of the run.
type AfterTaxView struct {
	Profile, Rate, Discount      string
	TotalTax, FinalValue, Annual string
	Liquidated, LiquidatedAnnual string
	Years                        []FYTaxRow
	DividendNote                 string
}

// FYTaxRow is one financial year.
type FYTaxRow struct {
	Label, Discountable, Other, Losses, Prior, Discount, Net, Carried, Dividends, Franking, Tax string
}

// CompareRow compares this run with its CGT-aware (or plain) counterpart.
type CompareRow struct {
	Label, This, Other string
}

// BacktestPositionsView is the holdings at one close (#backtest-positions).
type BacktestPositionsView struct {
	ID     int64
	Date   string
	Dates  []components.Option // month-end closes
	Rows   []PositionRow
	Count  string
	Points string // JSON: number of positions per day
}

// PositionRow is one holding.
type PositionRow struct {
	Code, Shares, Price, Value, Weight, DaysHeld string
}

// BacktestTradesView is a page of the trade list (#backtest-trades).
type BacktestTradesView struct {
	ID               int64
	Rows             []TradeRow
	Page, Pages      int
	Total            string
	PrevURL, NextURL string
}

// TradeRow is one trade.
type TradeRow struct {
	Date, Code, Side, Shares, Price, Value, Cost, Gain, GainDir string
}

// BacktestCompareView compares runs side by side.
type BacktestCompareView struct {
	Columns []string // one per run
	URLs    []string
	Rows    []CompareLine
	Series  []ChartSeries
}

// CompareLine is one metric across runs.
type CompareLine struct {
	Label  string
	Values []string
}

// ChartSeries is one line of a multi-line chart.
type ChartSeries struct {
	Key, Name, Points string
}

// ChartAttrs are the line chart's data-series-K and data-points-K
// attributes, one pair per run.
func (v BacktestCompareView) ChartAttrs() templ.Attributes {
	a := templ.Attributes{}
	for _, s := range v.Series {
		a["data-series-"+s.Key] = s.Name
		a["data-points-"+s.Key] = s.Points
	}
	return a
}

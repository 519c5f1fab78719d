package pages

import "github.com/qlibpro/qlibpro/views/components"

// SignalsView is today's model ranking.
type SignalsView struct {
	Model   string
	Models  []string
	Sector  string
	Sectors []string
	Date    string
	Prev    string
	Version string
	Rows    []SignalRow
	Empty   string // why there are no rows
	// Simulated explains that the day's scores are on simulated bars.
	Simulated string
}

// SignalRow is one instrument in the ranking.
type SignalRow struct {
	Rank               int
	Code, Name, Sector string
	Score, Percentile  float64
	Change             int
	New                bool // not ranked on the previous day
}

// ModelListRow is one model name on the models page.
type ModelListRow struct {
	ID                         int64
	Name, Kind, Version, Test  string
	Active                     bool
	IC, RankIC, ICIR, RankICIR string
	LongShort                  string
	Versions                   int
}

// ModelsView lists the models.
type ModelsView struct {
	Rows    []ModelListRow
	IsAdmin bool
}

// ModelView is one model version's evidence.
type ModelView struct {
	ID                           int64
	Name, Kind, Version, Created string
	Active                       bool
	Train, Valid, Test           string
	Metrics                      []MetricRow
	ICPoints                     string // JSON [{time, value}] for the IC chart
	RankICPoints                 string
	Quintiles                    []BarRow
	Importance                   []BarRow
	Params                       string
	Versions                     []ModelListRow
	IsAdmin                      bool
	CSRF                         string
}

// MetricRow is one labelled figure.
type MetricRow struct{ Label, Value string }

// BarRow is one labelled bar of a horizontal bar chart.
type BarRow struct {
	Label    string
	Value    string
	Fraction float64 // 0..1 of the longest bar
	Negative bool
}

// FactorLabView is the factor lab page.
type FactorLabView struct {
	Form   components.Form
	Result *FactorResultView
}

// FactorResultView is the evaluated factor.
type FactorResultView struct {
	Expr                       string
	Code                       string
	IC, RankIC, ICIR, RankICIR string
	Days, Codes                int
	ICPoints                   string // JSON for the daily IC chart
	ValuePoints                string // JSON for the factor on Code
	ErrorPos                   int    // −1 when no parse error
	Caret                      string // the expression with a caret under the error
}

package pages

import "github.com/qlibpro/qlibpro/views/components"

// InstrumentView is the instrument page.
type InstrumentView struct {
	Code, Name, Sector, IndustryGroup, Kind string
	Row                                     components.QuoteRowView
	High52, Low52                           float64
	AvgVolume                               int64
	LastDate                                string
	Chart                                   ChartView
	History                                 HistoryView
	Dividends                               components.InstrumentDividendsView // equities only
	Watchlists                              []components.WatchlistOption
	CSRF                                    string
	Notice                                  string
	// Actions are the corporate actions that adjust the daily history.
	Actions []components.CorporateActionRow
}

// ChartView is the chart panel: interval switcher, range presets, the chart.
type ChartView struct {
	Code      string
	Interval  string
	Range     string
	Intervals []string
	Ranges    []string
	Src       string // candles JSON for the chart script
	Stream    string // the page's one live stream: the quote row (HTML) and this chart's trades (JSON)
	Intraday  bool
	Overlay   string // model whose scores are drawn over daily candles
	// Raw shows daily history as traded; otherwise it is adjusted for
	// corporate actions (the default).
	Raw       bool
	Simulated string // caption when bars come from simulated sessions
	Backtest  int64  // the user's backtest whose trades are marked (0: none)
}

// HistoryView is one page of daily bars.
type HistoryView struct {
	Code        string
	Rows        []HistoryRow
	Page, Pages int
}

// HistoryRow is one daily bar.
type HistoryRow struct {
	Date                   string
	Open, High, Low, Close float64
	Volume                 int64
	Simulated              bool // a simulated session's bar (source sim)
}

// WatchlistsView is the watchlists page.
type WatchlistsView struct {
	CSRF  string
	Lists []WatchlistView
	Form  components.Form
}

// WatchlistView is one watchlist with its items.
type WatchlistView struct {
	ID    int64
	Name  string
	Codes []string
	First bool
	Last  bool
}

package pages

import (
	"strconv"

	"github.com/qlibpro/qlibpro/views/components"
)

// PortfolioNav is the paper-trading sub-navigation with the account switcher.
type PortfolioNav struct {
	AccountID int64
	Accounts  []components.Option
	Active    string // dashboard, trade, orders, ledger, tax, accounts
	Path      string // where the switcher sends the chosen account
}

// Link returns path for the current account.
func (n PortfolioNav) Link(path string) string {
	return path + "?account=" + strconv.FormatInt(n.AccountID, 10)
}

// Selected reports whether the switcher shows account value v.
func (n PortfolioNav) Selected(v string) bool { return v == strconv.FormatInt(n.AccountID, 10) }

// PortfolioView is the dashboard of one paper account.
type PortfolioView struct {
	Nav       PortfolioNav
	Name      string
	Details   string // brokerage, parcel method, start
	Summary   components.PortfolioSummaryView
	Holdings  components.HoldingsView
	ByHolding []components.AllocationBar
	BySector  []components.AllocationBar
	History   ValueHistoryView
	Dividends components.CoverageNote // which holdings' dividends are in the income and the TWR
	StreamURL string
	Charts    string // lightweight-charts URL
	Script    string // the page's script URL
}

// ValueHistoryView is the value-history chart's data and captions.
type ValueHistoryView struct {
	Data      ValueHistoryData
	TWR       string
	Benchmark string // XJO's return over the same days, or a note
}

// ValueHistoryData is what the chart script reads (JSON): both series rebased
// to 100 at the first day.
type ValueHistoryData struct {
	Value []ValuePoint `json:"value"`
	Bench []ValuePoint `json:"bench"`
}

// ValuePoint is one day of a line series.
type ValuePoint struct {
	Time  string  `json:"time"` // YYYY-MM-DD
	Value float64 `json:"value"`
}

// OrdersPageView is the orders list page.
type OrdersPageView struct {
	Nav    PortfolioNav
	Orders components.OrdersTableView
	Script string
}

// OrderDetailView is one order with its fill and history.
type OrderDetailView struct {
	Nav     PortfolioNav
	Order   components.OrderRow
	Expires string
	Fill    []components.Figure
	History []OrderEventRow
	CSRF    string
}

// OrderEventRow is one step of an order's history.
type OrderEventRow struct {
	At, From, To, Reason string
}

// TradePageView is the order ticket page.
type TradePageView struct {
	Nav    PortfolioNav
	Ticket components.TicketView
	Script string
}

// LedgerPageView is the ledger page.
type LedgerPageView struct {
	Nav    PortfolioNav
	Ledger components.LedgerView
	Script string
}

// TaxPageView is the tax page.
type TaxPageView struct {
	Nav    PortfolioNav
	Report components.TaxView
	Script string
}

// AccountsPageView lists the user's paper accounts with the new-account form.
type AccountsPageView struct {
	Nav      PortfolioNav
	Accounts []AccountRow
	Form     components.Form
	Script   string
}

// AccountRow is one paper account.
type AccountRow struct {
	ID                          int64
	Name, Cash, Start, Schedule string
	Method, Created, Reset      string
	Default                     bool
	CSRF                        string
}

// Choices for the new-account form.
var (
	ScheduleOptions = []components.Option{{Value: "commsec", Label: "CommSec ($5 / $10 / $19.95 / $29.95, then 0.12 %)"},
		{Value: "selfwealth", Label: "SelfWealth ($9.50 flat)"}, {Value: "qlib", Label: "Qlib (0.05 % buy, 0.15 % sell, min $5)"}}
	MethodOptions = []components.Option{{Value: "fifo", Label: "First in, first out"}, {Value: "lifo", Label: "Last in, first out"},
		{Value: "min_gain", Label: "Minimum gain"}, {Value: "max_gain", Label: "Maximum gain"}}
)

package components

import "strconv"

// The dashboard stream's events, each swapped by the element that names it.
const (
	SummaryEvent  = "summary"  // the summary cards' body
	HoldingsEvent = "holdings" // the holdings table's rows
)

// PortfolioSummaryView is the paper account's headline figures, formatted.
type PortfolioSummaryView struct {
	AccountID                      int64
	Total, Cash, MarketValue       string
	Return, ReturnPct, ReturnDir   string
	DayChange, DayDir              string
	Unrealised, UnrealisedDir      string
	Realised, RealisedDir          string
	Dividends, Brokerage, CostBase string
	TWR, TWRDir                    string
	Receivable                     string // dividends gone ex, not paid yet; "" when none
	AsOf                           string
}

// HoldingsView is the holdings table of one account.
type HoldingsView struct {
	AccountID int64
	Rows      []HoldingRow
	Total     string // market value
}

// HoldingRow is one holding, formatted.
type HoldingRow struct {
	Code, Name, Sector          string
	Quantity, AvgCost, CostBase string
	Price, MarketValue          string
	Unrealised, UnrealisedPct   string
	UnrealisedDir               string
	DayChange, DayDir           string
	Weight                      string
	Parcels                     int
	Priced                      bool
}

// AllocationBar is one bar of an allocation chart.
type AllocationBar struct {
	Label, Value, Share string
	Percent             int // 0–100, drawn by a <meter>
}

// OrdersTableView is a filtered list of orders.
type OrdersTableView struct {
	AccountID int64
	Status    string
	Code      string
	Statuses  []string
	Rows      []OrderRow
	CSRF      string
	Notice    string
}

// Query is the table's filter as a query string (for its own URL).
func (v OrdersTableView) Query() string {
	q := "account=" + strconv.FormatInt(v.AccountID, 10)
	if v.Status != "" {
		q += "&status=" + v.Status
	}
	if v.Code != "" {
		q += "&code=" + v.Code
	}
	return q
}

// OrderRow is one order, formatted.
type OrderRow struct {
	ID                       int64
	Placed, Code, Side, Type string
	Quantity, Price, TIF     string
	State, Reason            string
	FillPrice, Brokerage     string
	Total                    string
	Active                   bool
}

// TicketView is the order ticket: the form, its preview and the parcels a
// sell can pick from.
type TicketView struct {
	Form     Form
	Accounts []Option
	Preview  PreviewView
	Parcels  ParcelsView
	OrderURL string // set after a successful placement
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// PreviewView is the ticket's live estimate.
type PreviewView struct {
	Query                   string // the form as a query string, for the preview's own URL
	Ready                   bool   // enough input to estimate
	Errors                  []string
	Code, Name              string
	Last, Bid, Ask          string
	Side                    string
	Price, PriceBasis       string
	Value, Brokerage, Total string
	Schedule                string
	Available, Held         string
	Sell                    bool
	Disposals               []DisposalRow
	Gain, GainDir           string
	Discountable, Discount  string
	Phase                   string
}

// DisposalRow is one parcel drawn on by a sale (preview or report).
type DisposalRow struct {
	Code, Acquired, Sold, Quantity    string
	CostBase, Proceeds, Gain, GainDir string
	Discountable                      bool
	Method                            string
}

// ParcelsView lists the open parcels of a code for a specific-parcel sell.
type ParcelsView struct {
	Show bool
	Code string
	Rows []ParcelRow
}

// ParcelRow is one open parcel.
type ParcelRow struct {
	ID                           int64
	Acquired, Quantity, CostBase string
	UnitCost, Pick               string
	Discountable                 bool
}

// LedgerView is a page of ledger transactions.
type LedgerView struct {
	AccountID int64
	Rows      []LedgerRow
	Older     string // URL of the next page, "" at the start
	Balances  []Balance
}

// LedgerRow is one ledger transaction with its lines.
type LedgerRow struct {
	ID             int64
	At, Kind, Memo string
	Cash, CashDir  string
	Lines          []LedgerLineRow
	Reverses       string
}

// LedgerLineRow is one debit or credit.
type LedgerLineRow struct {
	Book, Code, Quantity, Debit, Credit string
}

// Balance is one book's balance.
type Balance struct {
	Book, Amount string
}

// TaxView is the tax report of one account and financial year.
type TaxView struct {
	AccountID int64
	FY        int
	Label     string
	Years     []Option
	CSVURL    string
	Figures   []Figure
	Disposals []DisposalRow
	Income    IncomeView
}

// Figure is one line of the CGT method statement.
type Figure struct {
	Label, Value string
	Strong       bool
}

// IncomeView is the financial year's dividends and franking credits.
type IncomeView struct {
	Rows                                     []DividendRow
	Cash, Franked, Unfranked, Credits, Gross string
	Unstated                                 string // cash whose franking is not stated; "" when none
	Coverage                                 CoverageNote
}

// DividendRow is one dividend received.
type DividendRow struct {
	Code, Kind, ExDate, PayDate, Quantity, PerShare, Franking string
	Amount, Credit, Gross                                     string
}

// DividendAdminView is the admin's dividend import.
type DividendAdminView struct {
	Form          Form
	Events        []DividendEventRow
	Header        string
	ShippedHeader string
}

// DividendEventRow is one imported event.
type DividendEventRow struct {
	Code, Kind, ExDate, PayDate, Amount, Franking, Source string
}

package handlers

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// JSON shapes of the paper-trading API: money and prices as exact decimal
// strings, dates as YYYY-MM-DD, instants as RFC 3339 UTC.

// apiMoney is an amount of AUD as a JSON string with two decimals.
type apiMoney decimal.Decimal

func (m apiMoney) MarshalJSON() ([]byte, error) {
	return []byte(`"` + decimal.Decimal(m).StringFixed(2) + `"`), nil
}

// apiDecimal is an exact decimal (prices, fractions) as a JSON string.
type apiDecimal decimal.Decimal

func (d apiDecimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + decimal.Decimal(d).String() + `"`), nil
}

func apiPrice(d decimal.NullDecimal) *apiDecimal {
	if !d.Valid {
		return nil
	}
	v := apiDecimal(d.Decimal)
	return &v
}

func apiDate(t time.Time) string { return t.Format(time.DateOnly) }

func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

type apiAccount struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Currency        string   `json:"currency"`
	StartingBalance apiMoney `json:"starting_balance"`
	Cash            apiMoney `json:"cash"`
	FeeSchedule     string   `json:"fee_schedule"`
	ParcelMethod    string   `json:"parcel_method"`
	Default         bool     `json:"default"`
	CreatedAt       string   `json:"created_at"`
}

// Times are the session's (portfolio.Service.SessionTime), as on the pages.
func toAPIAccount(a portfolio.Account, at func(time.Time) time.Time) apiAccount {
	return apiAccount{ID: a.ID, Name: a.Name, Currency: "AUD", StartingBalance: apiMoney(a.StartingBalance), Cash: apiMoney(a.Cash),
		FeeSchedule: a.FeeSchedule, ParcelMethod: string(a.Method), Default: a.IsDefault, CreatedAt: apiTime(at(a.CreatedAt))}
}

type apiParcel struct {
	ID       int64    `json:"id"`
	Acquired string   `json:"acquired"`
	Quantity int64    `json:"quantity"`
	CostBase apiMoney `json:"cost_base"`
}

type apiHolding struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Sector      string      `json:"sector"`
	Quantity    int64       `json:"quantity"`
	AvgCost     apiDecimal  `json:"average_cost"`
	CostBase    apiMoney    `json:"cost_base"`
	Price       apiDecimal  `json:"price"`
	MarketValue apiMoney    `json:"market_value"`
	Unrealised  apiMoney    `json:"unrealised_pnl"`
	DayChange   apiMoney    `json:"day_change"`
	Weight      apiDecimal  `json:"weight"`
	Parcels     []apiParcel `json:"parcels"`
}

func toAPIHoldings(v portfolio.Valuation) []apiHolding {
	out := make([]apiHolding, 0, len(v.Holdings))
	for _, h := range v.Holdings {
		ah := apiHolding{Code: h.Code, Name: h.Name, Sector: h.Sector, Quantity: h.Quantity.IntPart(),
			AvgCost: apiDecimal(h.AvgCost), CostBase: apiMoney(h.CostBase), Price: apiDecimal(h.Price),
			MarketValue: apiMoney(h.MarketValue), Unrealised: apiMoney(h.Unrealised), DayChange: apiMoney(h.DayChange),
			Weight: apiDecimal(h.Weight), Parcels: []apiParcel{}}
		for _, p := range h.Parcels {
			ah.Parcels = append(ah.Parcels, apiParcel{ID: p.ID, Acquired: apiDate(p.Acquired), Quantity: p.Quantity.IntPart(), CostBase: apiMoney(p.CostBase)})
		}
		out = append(out, ah)
	}
	return out
}

type apiPortfolio struct {
	Account     apiAccount   `json:"account"`
	Cash        apiMoney     `json:"cash"`
	MarketValue apiMoney     `json:"market_value"`
	TotalValue  apiMoney     `json:"total_value"`
	CostBase    apiMoney     `json:"cost_base"`
	Unrealised  apiMoney     `json:"unrealised_pnl"`
	Realised    apiMoney     `json:"realised_pnl"`
	Dividends   apiMoney     `json:"dividends"`
	Receivable  apiMoney     `json:"dividends_receivable"` // gone ex, not paid yet; in total_value
	Brokerage   apiMoney     `json:"brokerage"`
	DayChange   apiMoney     `json:"day_change"`
	Return      apiMoney     `json:"return"`
	ReturnPct   apiDecimal   `json:"return_fraction"`
	Holdings    []apiHolding `json:"holdings"`
	Accounts    []apiAccount `json:"accounts"`
	AsOf        string       `json:"as_of"`
}

// flexText takes a JSON string or number as text (numbers keep their
// literal digits, so 45.1 stays exactly 45.1).
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexText(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexText(n.String())
	return nil
}

type apiOrderRequest struct {
	AccountID   int64    `json:"account_id"`
	Code        string   `json:"code"`
	Side        string   `json:"side"`
	Type        string   `json:"type"`
	Quantity    flexText `json:"quantity"`
	LimitPrice  flexText `json:"limit_price"`
	StopPrice   flexText `json:"stop_price"`
	TimeInForce string   `json:"time_in_force"`
	Expires     string   `json:"expires"`
	Parcels     []struct {
		ParcelID int64    `json:"parcel_id"`
		Quantity flexText `json:"quantity"`
	} `json:"parcels"`
}

type apiFill struct {
	Price     apiDecimal `json:"price"`
	Quantity  int64      `json:"quantity"`
	Value     apiMoney   `json:"value"`
	Brokerage apiMoney   `json:"brokerage"`
	Total     apiMoney   `json:"total"`
	TradeDate string     `json:"trade_date"`
	SettlesOn string     `json:"settles_on"`
	FilledAt  string     `json:"filled_at"`
}

type apiEvent struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	At     string `json:"at"`
}

type apiOrder struct {
	ID          int64       `json:"id"`
	AccountID   int64       `json:"account_id"`
	Code        string      `json:"code"`
	Side        string      `json:"side"`
	Type        string      `json:"type"`
	Quantity    int64       `json:"quantity"`
	LimitPrice  *apiDecimal `json:"limit_price"`
	StopPrice   *apiDecimal `json:"stop_price"`
	TimeInForce string      `json:"time_in_force"`
	ExpiresAt   string      `json:"expires_at"`
	State       string      `json:"state"`
	Reason      string      `json:"reason"`
	Reserved    apiMoney    `json:"cash_reserved"`
	CreatedAt   string      `json:"created_at"`
	Fill        *apiFill    `json:"fill"`
	History     []apiEvent  `json:"history,omitempty"`
}

func toAPIOrder(o portfolio.Order, at func(time.Time) time.Time) apiOrder {
	out := apiOrder{ID: o.ID, AccountID: o.AccountID, Code: o.Code, Side: o.Side, Type: o.Type, Quantity: o.Quantity.IntPart(),
		LimitPrice: apiPrice(o.LimitPrice), StopPrice: apiPrice(o.StopPrice), TimeInForce: o.TIF,
		ExpiresAt: apiTime(o.ExpiresAt), State: string(o.State), Reason: o.Reason, Reserved: apiMoney(o.Reserve),
		CreatedAt: apiTime(at(o.CreatedAt))}
	if f := o.Fill; f != nil {
		out.Fill = &apiFill{Price: apiDecimal(f.Price), Quantity: f.Quantity.IntPart(), Value: apiMoney(f.Value),
			Brokerage: apiMoney(f.Brokerage), Total: apiMoney(f.Total(o.Side)), TradeDate: apiDate(f.TradeDate),
			SettlesOn: apiDate(f.SettlesOn), FilledAt: apiTime(at(f.FilledAt))}
	}
	return out
}

type apiLine struct {
	Book     string   `json:"book"`
	Code     string   `json:"code,omitempty"`
	Quantity int64    `json:"quantity,omitempty"`
	Amount   apiMoney `json:"amount"`
}

type apiTransaction struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Memo       string    `json:"memo"`
	CreatedAt  string    `json:"created_at"`
	CashChange apiMoney  `json:"cash_change"`
	Reverses   *int64    `json:"reverses,omitempty"`
	Lines      []apiLine `json:"lines"`
}

type apiDisposal struct {
	Code         string   `json:"code"`
	Quantity     int64    `json:"quantity"`
	Acquired     string   `json:"acquired"`
	Sold         string   `json:"sold"`
	CostBase     apiMoney `json:"cost_base"`
	Proceeds     apiMoney `json:"proceeds"`
	Gain         apiMoney `json:"gain"`
	Discountable bool     `json:"discountable"`
	Method       string   `json:"method"`
}

func toAPITransaction(t portfolio.LedgerTransaction, when func(time.Time) time.Time) apiTransaction {
	at := apiTransaction{ID: t.ID, Kind: t.Kind, Memo: t.Memo, CreatedAt: apiTime(when(t.At)), CashChange: apiMoney(t.CashChange()), Reverses: t.ReversesID}
	for _, l := range t.Lines {
		at.Lines = append(at.Lines, apiLine{Book: l.Book, Code: l.Code, Quantity: l.Quantity.IntPart(), Amount: apiMoney(l.Amount)})
	}
	return at
}

func toAPIDisposal(d tax.Disposal) apiDisposal {
	return apiDisposal{Code: d.Code, Quantity: d.Quantity.IntPart(), Acquired: apiDate(d.Acquired), Sold: apiDate(d.Sold),
		CostBase: apiMoney(d.CostBase), Proceeds: apiMoney(d.Proceeds), Gain: apiMoney(d.Gain), Discountable: d.Discountable, Method: string(d.Method)}
}

// toOrderInput maps the JSON body to the domain's order input.
func toOrderInput(in apiOrderRequest) portfolio.OrderInput {
	oi := portfolio.OrderInput{AccountID: in.AccountID, Code: in.Code, Side: in.Side, Type: in.Type,
		Quantity: string(in.Quantity), LimitPrice: string(in.LimitPrice), StopPrice: string(in.StopPrice),
		TIF: in.TimeInForce, Expires: in.Expires}
	for _, p := range in.Parcels {
		oi.Picks = append(oi.Picks, portfolio.PickInput{ParcelID: p.ParcelID, Quantity: string(p.Quantity)})
	}
	return oi
}

// nonNil makes a nil list an empty JSON array.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// PortfolioAPIHandler is the paper-trading JSON API. Every query is scoped to
// the token's user: another user's ids are 404s.
type PortfolioAPIHandler struct {
	pf *portfolio.Service
}

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

func toAPIAccount(a portfolio.Account) apiAccount {
	return apiAccount{ID: a.ID, Name: a.Name, Currency: "AUD", StartingBalance: apiMoney(a.StartingBalance), Cash: apiMoney(a.Cash),
		FeeSchedule: a.FeeSchedule, ParcelMethod: string(a.Method), Default: a.IsDefault, CreatedAt: apiTime(a.CreatedAt)}
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
	Brokerage   apiMoney     `json:"brokerage"`
	DayChange   apiMoney     `json:"day_change"`
	Return      apiMoney     `json:"return"`
	ReturnPct   apiDecimal   `json:"return_fraction"`
	Holdings    []apiHolding `json:"holdings"`
	Accounts    []apiAccount `json:"accounts"`
	AsOf        string       `json:"as_of"`
}

// apiAccountParam is the caller's account from ?account= (default: their
// default account).
func (h *PortfolioAPIHandler) account(c echo.Context, id int64) (portfolio.Account, error) {
	if raw := c.QueryParam("account"); raw != "" && id == 0 {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return portfolio.Account{}, errNotFound("Paper account")
		}
		id = n
	}
	return h.pf.Account(c.Request().Context(), principal(c).UserID, id)
}

// handlePortfolio is GET /api/v1/portfolio (and /api/portfolio).
func (h *PortfolioAPIHandler) handlePortfolio(c echo.Context) error {
	a, err := h.account(c, 0)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := h.pf.Value(ctx, a)
	if err != nil {
		return err
	}
	accts, err := h.pf.Accounts(ctx, principal(c).UserID)
	if err != nil {
		return err
	}
	out := apiPortfolio{Account: toAPIAccount(a), Cash: apiMoney(v.Cash), MarketValue: apiMoney(v.MarketValue),
		TotalValue: apiMoney(v.Total), CostBase: apiMoney(v.CostBase), Unrealised: apiMoney(v.Unrealised),
		Realised: apiMoney(v.Realised), Dividends: apiMoney(v.Dividends), Brokerage: apiMoney(v.Brokerage),
		DayChange: apiMoney(v.DayChange), Return: apiMoney(v.Return), ReturnPct: apiDecimal(v.ReturnPct),
		Holdings: toAPIHoldings(v), AsOf: apiTime(v.AsOf)}
	for _, x := range accts {
		out.Accounts = append(out.Accounts, toAPIAccount(x))
	}
	return c.JSON(http.StatusOK, out)
}

// handleHoldings is GET /api/v1/holdings.
func (h *PortfolioAPIHandler) handleHoldings(c echo.Context) error {
	a, err := h.account(c, 0)
	if err != nil {
		return err
	}
	v, err := h.pf.Value(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"account_id": a.ID, "holdings": toAPIHoldings(v),
		"market_value": apiMoney(v.MarketValue), "as_of": apiTime(v.AsOf)})
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

func toAPIOrder(o portfolio.Order) apiOrder {
	out := apiOrder{ID: o.ID, AccountID: o.AccountID, Code: o.Code, Side: o.Side, Type: o.Type, Quantity: o.Quantity.IntPart(),
		LimitPrice: apiPrice(o.LimitPrice), StopPrice: apiPrice(o.StopPrice), TimeInForce: o.TIF,
		ExpiresAt: apiTime(o.ExpiresAt), State: string(o.State), Reason: o.Reason, Reserved: apiMoney(o.Reserve),
		CreatedAt: apiTime(o.CreatedAt)}
	if f := o.Fill; f != nil {
		out.Fill = &apiFill{Price: apiDecimal(f.Price), Quantity: f.Quantity.IntPart(), Value: apiMoney(f.Value),
			Brokerage: apiMoney(f.Brokerage), Total: apiMoney(f.Total(o.Side)), TradeDate: apiDate(f.TradeDate),
			SettlesOn: apiDate(f.SettlesOn), FilledAt: apiTime(f.FilledAt)}
	}
	return out
}

// handlePlaceOrder is POST /api/v1/orders. An Idempotency-Key header makes
// retries safe: the same key and body answer with the first result (201 and
// the same body, plus Idempotent-Replayed: true); the same key with another
// body is a 409.
func (h *PortfolioAPIHandler) handlePlaceOrder(c echo.Context) error {
	var in apiOrderRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	oi := portfolio.OrderInput{AccountID: in.AccountID, Code: in.Code, Side: in.Side, Type: in.Type,
		Quantity: string(in.Quantity), LimitPrice: string(in.LimitPrice), StopPrice: string(in.StopPrice),
		TIF: in.TimeInForce, Expires: in.Expires}
	for _, p := range in.Parcels {
		oi.Picks = append(oi.Picks, portfolio.PickInput{ParcelID: p.ParcelID, Quantity: string(p.Quantity)})
	}
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	o, replayed, err := h.pf.PlaceOrder(c.Request().Context(), principal(c).UserID, oi, key)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Location", "/api/v1/orders/"+strconv.FormatInt(o.ID, 10))
	if replayed {
		hd.Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, toAPIOrder(o))
}

// handleListOrders is GET /api/v1/orders?account=&status=&code=&limit=.
func (h *PortfolioAPIHandler) handleListOrders(c echo.Context) error {
	a, err := h.account(c, 0)
	if err != nil {
		return err
	}
	limit := 200
	if raw := c.QueryParam("limit"); raw != "" {
		if limit, err = strconv.Atoi(raw); err != nil || limit < 1 || limit > 500 {
			return apperr.FieldError("limit", "limit must be 1 to 500.")
		}
	}
	orders, err := h.pf.Orders(c.Request().Context(), a, portfolio.OrderFilter{Status: c.QueryParam("status"),
		Code: c.QueryParam("code"), Limit: limit})
	if err != nil {
		return err
	}
	out := make([]apiOrder, 0, len(orders))
	for _, o := range orders {
		out = append(out, toAPIOrder(o))
	}
	return c.JSON(http.StatusOK, map[string]any{"account_id": a.ID, "orders": out})
}

// handleGetOrder is GET /api/v1/orders/:id with the order's history.
func (h *PortfolioAPIHandler) handleGetOrder(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	user := principal(c).UserID
	o, err := h.pf.Order(ctx, user, id)
	if err != nil {
		return err
	}
	hist, err := h.pf.OrderHistory(ctx, user, id)
	if err != nil {
		return err
	}
	out := toAPIOrder(o)
	for _, e := range hist {
		out.History = append(out.History, apiEvent{From: string(e.From), To: string(e.To), Reason: e.Reason, At: apiTime(e.At)})
	}
	return c.JSON(http.StatusOK, out)
}

// handleCancelOrder is DELETE /api/v1/orders/:id.
func (h *PortfolioAPIHandler) handleCancelOrder(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	o, err := h.pf.CancelOrder(c.Request().Context(), principal(c).UserID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIOrder(o))
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

// handleTransactions is GET /api/v1/transactions?account=&before=&limit=:
// ledger transactions, newest first, each with balanced lines (debits
// positive).
func (h *PortfolioAPIHandler) handleTransactions(c echo.Context) error {
	a, err := h.account(c, 0)
	if err != nil {
		return err
	}
	var before int64
	if raw := c.QueryParam("before"); raw != "" {
		if before, err = strconv.ParseInt(raw, 10, 64); err != nil || before < 0 {
			return apperr.FieldError("before", "before must be a transaction id.")
		}
	}
	limit := 100
	if raw := c.QueryParam("limit"); raw != "" {
		if limit, err = strconv.Atoi(raw); err != nil || limit < 1 || limit > 500 {
			return apperr.FieldError("limit", "limit must be 1 to 500.")
		}
	}
	txs, err := h.pf.Ledger(c.Request().Context(), a, before, limit)
	if err != nil {
		return err
	}
	out := make([]apiTransaction, 0, len(txs))
	for _, t := range txs {
		at := apiTransaction{ID: t.ID, Kind: t.Kind, Memo: t.Memo, CreatedAt: apiTime(t.At), CashChange: apiMoney(t.CashChange()), Reverses: t.ReversesID}
		for _, l := range t.Lines {
			at.Lines = append(at.Lines, apiLine{Book: l.Book, Code: l.Code, Quantity: l.Quantity.IntPart(), Amount: apiMoney(l.Amount)})
		}
		out = append(out, at)
	}
	resp := map[string]any{"account_id": a.ID, "transactions": out}
	if len(txs) == limit {
		resp["next_before"] = txs[len(txs)-1].ID
	}
	return c.JSON(http.StatusOK, resp)
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

// handleCGT is GET /api/v1/tax/cgt?fy=2025&account=: the financial year's
// CGT schedule with its disposals and the dividend income summary.
func (h *PortfolioAPIHandler) handleCGT(c echo.Context) error {
	a, err := h.account(c, 0)
	if err != nil {
		return err
	}
	fy, err := portfolio.ParseFY(strings.TrimSpace(c.QueryParam("fy")), h.pf.TradeDate())
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := h.pf.CGT(ctx, a, fy)
	if err != nil {
		return err
	}
	inc, err := h.pf.Income(ctx, a, fy)
	if err != nil {
		return err
	}
	s := r.Summary
	ds := make([]apiDisposal, 0, len(s.Disposals))
	for _, d := range s.Disposals {
		ds = append(ds, apiDisposal{Code: d.Code, Quantity: d.Quantity.IntPart(), Acquired: apiDate(d.Acquired), Sold: apiDate(d.Sold),
			CostBase: apiMoney(d.CostBase), Proceeds: apiMoney(d.Proceeds), Gain: apiMoney(d.Gain), Discountable: d.Discountable, Method: string(d.Method)})
	}
	start, end := tax.FYRange(fy)
	return c.JSON(http.StatusOK, map[string]any{
		"account_id": a.ID, "fy": fy, "label": r.Label, "from": apiDate(start), "to": apiDate(end),
		"discountable_gains": apiMoney(s.DiscountableGains), "other_gains": apiMoney(s.OtherGains),
		"total_gains": apiMoney(s.TotalGains), "current_losses": apiMoney(s.CurrentLosses),
		"prior_losses": apiMoney(s.PriorLosses), "losses_applied": apiMoney(s.LossesApplied()),
		"discount_rate": apiDecimal(s.DiscountRate), "discount": apiMoney(s.Discount),
		"net_capital_gain": apiMoney(s.NetCapitalGain), "loss_carried_forward": apiMoney(s.LossCarriedForward),
		"disposals": ds,
		"dividends": map[string]any{"cash": apiMoney(inc.Cash), "franked": apiMoney(inc.Franked), "unfranked": apiMoney(inc.Unfranked),
			"franking_credits": apiMoney(inc.Credits), "grossed_up": apiMoney(inc.GrossedUp)},
	})
}

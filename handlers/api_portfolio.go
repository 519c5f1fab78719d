package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// apiPortfolioHandler is the paper-trading JSON API (its JSON shapes are in
// api_portfolio_json.go). Every query is scoped to the token's user: another
// user's ids are 404s.
type apiPortfolioHandler struct {
	pf *portfolio.Service
}

// account is the caller's account from ?account= (default: their default
// account).
func (h *apiPortfolioHandler) account(c echo.Context) (portfolio.Account, error) {
	id, err := accountParam(c)
	if err != nil {
		return portfolio.Account{}, err
	}
	return h.pf.Account(c.Request().Context(), principal(c).UserID, id)
}

// handlePortfolio is GET /api/v1/portfolio (and /api/portfolio).
func (h *apiPortfolioHandler) handlePortfolio(c echo.Context) error {
	a, err := h.account(c)
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
	out := apiPortfolio{Account: toAPIAccount(a, h.pf.SessionTime), Cash: apiMoney(v.Cash), MarketValue: apiMoney(v.MarketValue),
		TotalValue: apiMoney(v.Total), Receivable: apiMoney(v.Receivable), CostBase: apiMoney(v.CostBase), Unrealised: apiMoney(v.Unrealised),
		Realised: apiMoney(v.Realised), Dividends: apiMoney(v.Dividends), Brokerage: apiMoney(v.Brokerage),
		DayChange: apiMoney(v.DayChange), Return: apiMoney(v.Return), ReturnPct: apiDecimal(v.ReturnPct),
		Holdings: toAPIHoldings(v), AsOf: apiTime(v.AsOf)}
	for _, x := range accts {
		out.Accounts = append(out.Accounts, toAPIAccount(x, h.pf.SessionTime))
	}
	return c.JSON(http.StatusOK, out)
}

// handleHoldings is GET /api/v1/holdings.
func (h *apiPortfolioHandler) handleHoldings(c echo.Context) error {
	a, err := h.account(c)
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

// handlePlaceOrder is POST /api/v1/orders. An Idempotency-Key header makes
// retries safe: the same key and body answer with the first result (201 and
// the same body, plus Idempotent-Replayed: true); the same key with another
// body is a 409.
func (h *apiPortfolioHandler) handlePlaceOrder(c echo.Context) error {
	var in apiOrderRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	o, replayed, err := h.pf.PlaceOrder(c.Request().Context(), principal(c).UserID, toOrderInput(in), key)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Location", "/api/v1/orders/"+strconv.FormatInt(o.ID, 10))
	if replayed {
		hd.Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, toAPIOrder(o, h.pf.SessionTime))
}

// handleListOrders is GET /api/v1/orders?account=&status=&code=&limit=.
func (h *apiPortfolioHandler) handleListOrders(c echo.Context) error {
	a, err := h.account(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 200, 1, 500)
	if err != nil {
		return err
	}
	orders, err := h.pf.Orders(c.Request().Context(), a, portfolio.OrderFilter{Status: c.QueryParam("status"),
		Code: c.QueryParam("code"), Limit: limit})
	if err != nil {
		return err
	}
	out := make([]apiOrder, 0, len(orders))
	for _, o := range orders {
		out = append(out, toAPIOrder(o, h.pf.SessionTime))
	}
	return c.JSON(http.StatusOK, map[string]any{"account_id": a.ID, "orders": out})
}

// handleGetOrder is GET /api/v1/orders/:id with the order's history.
func (h *apiPortfolioHandler) handleGetOrder(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	o, hist, err := h.pf.OrderWithHistory(c.Request().Context(), principal(c).UserID, id)
	if err != nil {
		return err
	}
	out := toAPIOrder(o, h.pf.SessionTime)
	for _, e := range hist {
		out.History = append(out.History, apiEvent{From: string(e.From), To: string(e.To), Reason: e.Reason, At: apiTime(h.pf.SessionTime(e.At))})
	}
	return c.JSON(http.StatusOK, out)
}

// handleCancelOrder is DELETE /api/v1/orders/:id.
func (h *apiPortfolioHandler) handleCancelOrder(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	o, err := h.pf.CancelOrder(c.Request().Context(), principal(c).UserID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPIOrder(o, h.pf.SessionTime))
}

// handleTransactions is GET /api/v1/transactions?account=&before=&limit=:
// ledger transactions, newest first, each with balanced lines (debits
// positive).
func (h *apiPortfolioHandler) handleTransactions(c echo.Context) error {
	a, err := h.account(c)
	if err != nil {
		return err
	}
	before, err := beforeParam(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	txs, err := h.pf.Ledger(c.Request().Context(), a, before, limit)
	if err != nil {
		return err
	}
	out := make([]apiTransaction, 0, len(txs))
	for _, t := range txs {
		out = append(out, toAPITransaction(t, h.pf.SessionTime))
	}
	resp := map[string]any{"account_id": a.ID, "transactions": out}
	if len(txs) == limit {
		resp["next_before"] = txs[len(txs)-1].ID
	}
	return c.JSON(http.StatusOK, resp)
}

// handleCGT is GET /api/v1/tax/cgt?fy=2025&account=: the financial year's
// CGT schedule with its disposals and the dividend income summary.
func (h *apiPortfolioHandler) handleCGT(c echo.Context) error {
	a, err := h.account(c)
	if err != nil {
		return err
	}
	r, inc, err := taxReport(c, h.pf, a)
	if err != nil {
		return err
	}
	s := r.Summary
	ds := make([]apiDisposal, 0, len(s.Disposals))
	for _, d := range s.Disposals {
		ds = append(ds, toAPIDisposal(d))
	}
	start, end := tax.FYRange(r.FY)
	return c.JSON(http.StatusOK, map[string]any{
		"account_id": a.ID, "fy": r.FY, "label": r.Label, "from": apiDate(start), "to": apiDate(end),
		"discountable_gains": apiMoney(s.DiscountableGains), "other_gains": apiMoney(s.OtherGains),
		"total_gains": apiMoney(s.TotalGains), "current_losses": apiMoney(s.CurrentLosses),
		"prior_losses": apiMoney(s.PriorLosses), "losses_applied": apiMoney(s.LossesApplied()),
		"discount_rate": apiDecimal(s.DiscountRate), "discount": apiMoney(s.Discount),
		"net_capital_gain": apiMoney(s.NetCapitalGain), "loss_carried_forward": apiMoney(s.LossCarriedForward),
		"disposals": ds,
		"dividends": map[string]any{"cash": apiMoney(inc.Cash), "franked": apiMoney(inc.Franked), "unfranked": apiMoney(inc.Unfranked),
			"franking_credits": apiMoney(inc.Credits), "grossed_up": apiMoney(inc.GrossedUp),
			"franking_not_stated": apiMoney(inc.Unstated), "held_codes_without_dividend_data": nonNil(inc.NoData)},
	})
}

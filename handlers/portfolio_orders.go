package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// portfolioOrdersHandler lists, shows and cancels paper orders (placing one
// is the trade ticket's, portfolioTradeHandler).
type portfolioOrdersHandler struct {
	pf *portfolio.Service
	s  *sessions
	r  *renderer
}

// handleList is /portfolio/orders?account=&status=&code=: the page, or the
// table alone for htmx.
func (h *portfolioOrdersHandler) handleList(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	t, err := h.table(c, a, c.QueryParam("status"), c.QueryParam("code"))
	if err != nil {
		return err
	}
	page := func() (templ.Component, error) {
		nav, err := portfolioNav(c.Request().Context(), h.pf, currentUser(c).ID, a, "orders", "/portfolio/orders")
		return pages.PortfolioOrders(pages.OrdersPageView{Nav: nav, Orders: t, Script: h.r.assets.URL("js/portfolio.js")}), err
	}
	return h.r.respond(c, http.StatusOK, "Orders", "portfolio", page, ready(components.OrdersTable(t)))
}

// table loads the orders of a filtered by status and code.
func (h *portfolioOrdersHandler) table(c echo.Context, a portfolio.Account, status, code string) (components.OrdersTableView, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	orders, err := h.pf.Orders(c.Request().Context(), a, portfolio.OrderFilter{Status: status, Code: code})
	if err != nil {
		return components.OrdersTableView{}, err
	}
	v := components.OrdersTableView{AccountID: a.ID, Status: status, Code: code, Statuses: portfolio.OrderStatuses(),
		CSRF: h.s.csrfToken(c)}
	for _, o := range orders {
		v.Rows = append(v.Rows, orderRow(o, h.pf.SessionTime))
	}
	return v, nil
}

// handleShow is one order with its fill and history.
func (h *portfolioOrdersHandler) handleShow(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	user := currentUser(c).ID
	o, hist, err := h.pf.OrderWithHistory(ctx, user, id)
	if err != nil {
		return err
	}
	a, err := h.pf.Account(ctx, user, o.AccountID)
	if err != nil {
		return err
	}
	nav, err := portfolioNav(ctx, h.pf, user, a, "orders", "/portfolio/orders")
	if err != nil {
		return err
	}
	v := pages.OrderDetailView{Nav: nav, Order: orderRow(o, h.pf.SessionTime), Expires: display.DateTime(o.ExpiresAt), CSRF: h.s.csrfToken(c)}
	if f := o.Fill; f != nil {
		v.Fill = []components.Figure{
			{Label: "Price", Value: display.TradePrice(f.Price)}, {Label: "Shares", Value: display.Quantity(f.Quantity)},
			{Label: "Value", Value: display.Money(f.Value)}, {Label: "Brokerage", Value: display.Money(f.Brokerage)},
			{Label: "Total", Value: display.Money(f.Total(o.Side))}, {Label: "Trade date", Value: display.ShortDate(f.TradeDate)},
			{Label: "Settles (T+2)", Value: display.ShortDate(f.SettlesOn)}, {Label: "Filled", Value: display.DateTime(h.pf.SessionTime(f.FilledAt))},
		}
	}
	for _, e := range hist {
		from := string(e.From)
		if from == "" {
			from = "–"
		}
		v.History = append(v.History, pages.OrderEventRow{At: display.DateTime(h.pf.SessionTime(e.At)), From: from, To: string(e.To), Reason: e.Reason})
	}
	return h.r.page(c, http.StatusOK, "Order #"+strconv.FormatInt(id, 10), "portfolio", pages.PortfolioOrder(v))
}

// handleCancel cancels one of the user's working orders and answers with
// the orders table (htmx) or goes back to the order.
func (h *portfolioOrdersHandler) handleCancel(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	user := currentUser(c).ID
	o, err := h.pf.CancelOrder(ctx, user, id)
	if err != nil {
		return err
	}
	return h.r.afterAction(c, "/portfolio/orders/"+strconv.FormatInt(id, 10), func() (templ.Component, error) {
		a, err := h.pf.Account(ctx, user, o.AccountID)
		if err != nil {
			return nil, err
		}
		t, err := h.table(c, a, c.FormValue("status"), c.FormValue("code"))
		if err != nil {
			return nil, err
		}
		t.Notice = "Order #" + strconv.FormatInt(id, 10) + " cancelled."
		return components.OrdersTable(t), nil
	})
}

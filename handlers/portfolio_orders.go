package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// PaperOrdersHandler lists, shows and cancels paper orders.
type PaperOrdersHandler struct {
	pf *portfolio.Service
	s  *sessions
	r  *renderer
}

// table loads the orders of a filtered by the request's status and code.
func (h *PaperOrdersHandler) table(c echo.Context, a portfolio.Account, status, code string) (components.OrdersTableView, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	orders, err := h.pf.Orders(c.Request().Context(), a, portfolio.OrderFilter{Status: status, Code: code})
	if err != nil {
		return components.OrdersTableView{}, err
	}
	v := components.OrdersTableView{AccountID: a.ID, Status: status, Code: code, Statuses: portfolio.OrderStatuses(),
		CSRF: h.s.csrfToken(c)}
	for _, o := range orders {
		v.Rows = append(v.Rows, orderRow(o))
	}
	return v, nil
}

// handleList is /portfolio/orders?account=&status=&code=: the page, or the
// table alone for htmx.
func (h *PaperOrdersHandler) handleList(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	t, err := h.table(c, a, c.QueryParam("status"), c.QueryParam("code"))
	if err != nil {
		return err
	}
	return h.respond(c, a, t, http.StatusOK)
}

func (h *PaperOrdersHandler) respond(c echo.Context, a portfolio.Account, t components.OrdersTableView, status int) error {
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return component(c, status, components.OrdersTable(t))
	}
	nav, err := portfolioNav(c.Request().Context(), h.pf, currentUser(c).ID, a, "orders", "/portfolio/orders")
	if err != nil {
		return err
	}
	return h.r.page(c, status, "Orders", "portfolio", pages.PortfolioOrders(pages.OrdersPageView{
		Nav: nav, Orders: t, Script: h.r.assets.URL("js/portfolio.js")}))
}

// handleShow is one order with its fill and history.
func (h *PaperOrdersHandler) handleShow(c echo.Context) error {
	id, err := idParam(c, "Order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	user := currentUser(c).ID
	o, err := h.pf.Order(ctx, user, id)
	if err != nil {
		return err
	}
	hist, err := h.pf.OrderHistory(ctx, user, id)
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
	v := pages.OrderDetailView{Nav: nav, Order: orderRow(o), Expires: display.DateTime(o.ExpiresAt), CSRF: h.s.csrfToken(c)}
	if f := o.Fill; f != nil {
		v.Fill = []components.Figure{
			{Label: "Price", Value: fmtPrice(f.Price)}, {Label: "Shares", Value: fmtQty(f.Quantity)},
			{Label: "Value", Value: fmtMoney(f.Value)}, {Label: "Brokerage", Value: fmtMoney(f.Brokerage)},
			{Label: "Total", Value: fmtMoney(f.Total(o.Side))}, {Label: "Trade date", Value: fmtDate(f.TradeDate)},
			{Label: "Settles (T+2)", Value: fmtDate(f.SettlesOn)}, {Label: "Filled", Value: display.DateTime(f.FilledAt)},
		}
	}
	for _, e := range hist {
		from := string(e.From)
		if from == "" {
			from = "–"
		}
		v.History = append(v.History, pages.OrderEventRow{At: display.DateTime(e.At), From: from, To: string(e.To), Reason: e.Reason})
	}
	return h.r.page(c, http.StatusOK, "Order #"+strconv.FormatInt(id, 10), "portfolio", pages.PortfolioOrder(v))
}

// handleCancel cancels one of the user's working orders and answers with
// the orders table (htmx) or goes back to the order.
func (h *PaperOrdersHandler) handleCancel(c echo.Context) error {
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
	if !isHTMX(c) {
		return redirect(c, "/portfolio/orders/"+strconv.FormatInt(id, 10))
	}
	a, err := h.pf.Account(ctx, user, o.AccountID)
	if err != nil {
		return err
	}
	t, err := h.table(c, a, c.FormValue("status"), c.FormValue("code"))
	if err != nil {
		return err
	}
	t.Notice = "Order #" + strconv.FormatInt(id, 10) + " cancelled."
	return component(c, http.StatusOK, components.OrdersTable(t))
}

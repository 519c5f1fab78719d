package handlers

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// portfolioTradeHandler serves the order ticket: the form, its live
// estimate, the parcels a sell can pick, and placing the order.
type portfolioTradeHandler struct {
	pf  *portfolio.Service
	hub *hub.Hub
	s   *sessions
	r   *renderer
}

// ticketValues reads the ticket's fields from the query or form.
func ticketValues(c echo.Context) map[string]string {
	v := map[string]string{}
	for _, f := range portfolio.OrderFields {
		v[f] = strings.TrimSpace(c.FormValue(f))
	}
	v["code"] = strings.ToUpper(v["code"])
	for k, d := range map[string]string{"side": "buy", "type": "market", "tif": "day"} {
		if v[k] == "" {
			v[k] = d
		}
	}
	return v
}

// orderInput maps the ticket's values (and picked parcels, pick_<id>) to the
// domain's input.
func orderInput(c echo.Context, v map[string]string, accountID int64) portfolio.OrderInput {
	in := portfolio.OrderInput{AccountID: accountID, Code: v["code"], Side: v["side"], Type: v["type"],
		Quantity: v["quantity"], LimitPrice: v["limit_price"], StopPrice: v["stop_price"], TIF: v["tif"], Expires: v["expires"]}
	params, _ := c.FormParams()
	var keys []string
	for k := range params {
		if strings.HasPrefix(k, "pick_") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		id, err := strconv.ParseInt(strings.TrimPrefix(k, "pick_"), 10, 64)
		q := strings.TrimSpace(params.Get(k))
		if err == nil && q != "" {
			in.Picks = append(in.Picks, portfolio.PickInput{ParcelID: id, Quantity: q})
		}
	}
	return in
}

// ticket builds the whole ticket for form f.
func (h *portfolioTradeHandler) ticket(c echo.Context, a portfolio.Account, f components.Form) (components.TicketView, error) {
	accts, err := accountOptions(c.Request().Context(), h.pf, currentUser(c).ID)
	if err != nil {
		return components.TicketView{}, err
	}
	f.Values["account"] = strconv.FormatInt(a.ID, 10)
	in := orderInput(c, f.Values, a.ID)
	return components.TicketView{Form: f, Accounts: accts, Preview: h.preview(c, in), Parcels: h.parcels(c, a, in)}, nil
}

// preview estimates the order for the ticket; problems are listed, not failed.
func (h *portfolioTradeHandler) preview(c echo.Context, in portfolio.OrderInput) components.PreviewView {
	q := url.Values{}
	q.Set("account", strconv.FormatInt(in.AccountID, 10))
	for k, v := range map[string]string{"code": in.Code, "side": in.Side, "type": in.Type, "quantity": in.Quantity,
		"limit_price": in.LimitPrice, "stop_price": in.StopPrice, "tif": in.TIF, "expires": in.Expires} {
		if v != "" {
			q.Set(k, v)
		}
	}
	pv := components.PreviewView{Query: q.Encode(), Code: in.Code, Side: in.Side, Sell: in.Side == "sell"}
	if in.Code != "" {
		if qt, ok := h.hub.Quote(in.Code); ok {
			pv.Last, pv.Bid, pv.Ask = display.QuotePrice(qt.Last), display.QuotePrice(qt.Bid), display.QuotePrice(qt.Ask)
			pv.Phase = "market " + strings.ToLower(h.pf.Phase(in.Code).Label())
		}
	}
	if in.Code == "" || in.Quantity == "" {
		return pv
	}
	est, err := h.pf.Preview(c.Request().Context(), currentUser(c).ID, in)
	if err != nil {
		pv.Errors = fieldMessages(err)
		return pv
	}
	pv.Ready, pv.Name = true, est.Name
	pv.Price, pv.PriceBasis = display.TradePrice(est.Price), est.PriceBasis
	pv.Value, pv.Brokerage, pv.Total, pv.Schedule = display.Money(est.Value), display.Money(est.Brokerage), display.Money(est.Total), est.Schedule
	pv.Available, pv.Held = display.Money(est.Available), display.Quantity(est.Held)
	pv.Disposals = disposalRows(est.Disposals)
	pv.Gain, pv.GainDir = display.SignedMoney(est.Gain), display.DirOf(est.Gain)
	pv.Discountable, pv.Discount = display.Money(est.Discountable), display.Money(est.Discount)
	return pv
}

// parcels lists the open parcels of the code a sell names.
func (h *portfolioTradeHandler) parcels(c echo.Context, a portfolio.Account, in portfolio.OrderInput) components.ParcelsView {
	pv := components.ParcelsView{Show: in.Side == "sell" && in.Code != "", Code: in.Code}
	if !pv.Show {
		return pv
	}
	v, err := h.pf.Value(c.Request().Context(), a)
	if err != nil {
		return pv
	}
	picked := map[int64]string{}
	for _, p := range in.Picks {
		picked[p.ParcelID] = p.Quantity
	}
	today := h.pf.TradeDate()
	for _, hd := range v.Holdings {
		if hd.Code != in.Code {
			continue
		}
		for _, p := range hd.Parcels {
			pv.Rows = append(pv.Rows, components.ParcelRow{ID: p.ID, Acquired: display.ShortDate(p.Acquired), Quantity: display.Quantity(p.Quantity),
				CostBase: display.Money(p.CostBase), UnitCost: "$" + p.CostBase.DivRound(p.Quantity, 3).StringFixed(3),
				Pick: picked[p.ID], Discountable: tax.DiscountEligible(p.Acquired, today)})
		}
	}
	return pv
}

func (h *portfolioTradeHandler) form(c echo.Context) components.Form {
	f := components.Form{CSRF: h.s.csrfToken(c), Values: ticketValues(c)}
	f.Values["idempotency_key"] = c.FormValue("idempotency_key")
	if f.Values["idempotency_key"] == "" {
		f.Values["idempotency_key"] = randomString(18)
	}
	return f
}

// page builds the ticket page around t.
func (h *portfolioTradeHandler) page(c echo.Context, a portfolio.Account, t components.TicketView) build {
	return func() (templ.Component, error) {
		nav, err := portfolioNav(c.Request().Context(), h.pf, currentUser(c).ID, a, "trade", "/portfolio/trade")
		return pages.PortfolioTrade(pages.TradePageView{Nav: nav, Ticket: t, Script: h.r.assets.URL("js/portfolio.js")}), err
	}
}

// ticketPage builds the ticket page prefilled from the request.
func (h *portfolioTradeHandler) ticketPage(c echo.Context, a portfolio.Account) build {
	return func() (templ.Component, error) {
		t, err := h.ticket(c, a, h.form(c))
		if err != nil {
			return nil, err
		}
		return h.page(c, a, t)()
	}
}

const tradeTitle = "Place an order"

// handleTicket is the ticket page, prefilled from the query string.
func (h *portfolioTradeHandler) handleTicket(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	page, err := h.ticketPage(c, a)()
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, tradeTitle, "portfolio", page)
}

// handlePreview is the estimate's own URL: the partial for htmx, the ticket
// page otherwise.
func (h *portfolioTradeHandler) handlePreview(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	partial := func() (templ.Component, error) {
		return components.TicketPreview(h.preview(c, orderInput(c, ticketValues(c), a.ID))), nil
	}
	return h.r.respond(c, http.StatusOK, tradeTitle, "portfolio", h.ticketPage(c, a), partial)
}

// handleParcels is the parcel picker's own URL.
func (h *portfolioTradeHandler) handleParcels(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	partial := func() (templ.Component, error) {
		return components.TicketParcels(h.parcels(c, a, orderInput(c, ticketValues(c), a.ID))), nil
	}
	return h.r.respond(c, http.StatusOK, tradeTitle, "portfolio", h.ticketPage(c, a), partial)
}

// handlePlace places the order. The form's idempotency key makes a double
// submit answer with the first order; problems come back inline (422).
func (h *portfolioTradeHandler) handlePlace(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	f := h.form(c)
	in := orderInput(c, f.Values, a.ID)
	o, _, err := h.pf.PlaceOrder(c.Request().Context(), currentUser(c).ID, in, f.Value("idempotency_key"))
	if err != nil {
		return h.r.formFailed(c, err, f, tradeTitle, "portfolio", func(f components.Form) (build, build) {
			page := func() (templ.Component, error) {
				t, err := h.ticket(c, a, f)
				if err != nil {
					return nil, err
				}
				return h.page(c, a, t)()
			}
			partial := func() (templ.Component, error) {
				t, err := h.ticket(c, a, f)
				return components.OrderTicket(t), err
			}
			return page, partial
		})
	}
	orderURL := "/portfolio/orders/" + strconv.FormatInt(o.ID, 10)
	return h.r.afterAction(c, orderURL, func() (templ.Component, error) {
		next := components.Form{CSRF: f.CSRF, Values: map[string]string{"code": o.Code, "side": o.Side, "type": o.Type,
			"tif": o.TIF, "idempotency_key": randomString(18)}}
		next.Notice = "Order #" + strconv.FormatInt(o.ID, 10) + " placed: " + o.Side + " " + display.Quantity(o.Quantity) + " " + o.Code +
			" " + strings.ReplaceAll(o.Type, "_", "-") + ", " + string(o.State) + " (" + o.Reason + ")."
		t, err := h.ticket(c, a, next)
		t.OrderURL = orderURL
		return components.OrderTicket(t), err
	})
}

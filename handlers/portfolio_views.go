package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// Formatting of paper-trading figures for the views.

func fmtMoney(d decimal.Decimal) string { return display.Money(d) }

// fmtSigned is money with an explicit sign ("+$12.50", "−$3.00").
func fmtSigned(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + display.Money(d)
	}
	return display.Money(d)
}

func fmtDir(d decimal.Decimal) string { return display.Dir(d.InexactFloat64()) }

func fmtPct(frac decimal.Decimal) string { return display.Pct(frac.InexactFloat64()) }

// fmtShare is an unsigned percentage of a whole ("51.75%").
func fmtShare(frac decimal.Decimal) string {
	return frac.Mul(decimal.NewFromInt(100)).StringFixed(2) + "%"
}

func fmtQty(d decimal.Decimal) string { return display.Thousands(d.String()) }

func fmtPrice(d decimal.Decimal) string {
	if d.IsZero() {
		return "–"
	}
	return display.Price(d.InexactFloat64())
}

func fmtQuotePrice(f float64) string {
	if f <= 0 {
		return "–"
	}
	return display.Price(f)
}

func fmtDate(t time.Time) string { return t.Format("2 Jan 2006") }

// accountParam reads the account id from the query or form ("account"); 0
// means the default account. A malformed id is a 404.
func accountParam(c echo.Context) (int64, error) {
	raw := strings.TrimSpace(c.QueryParam("account"))
	if raw == "" {
		raw = strings.TrimSpace(c.FormValue("account"))
	}
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound("Paper account")
	}
	return id, nil
}

// currentAccount is the signed-in user's account named by the request (the
// default when none is named); another user's account is a 404.
func currentAccount(c echo.Context, pf *portfolio.Service) (portfolio.Account, error) {
	id, err := accountParam(c)
	if err != nil {
		return portfolio.Account{}, err
	}
	return pf.Account(c.Request().Context(), currentUser(c).ID, id)
}

// portfolioNav builds the sub-navigation for account a.
func portfolioNav(ctx context.Context, pf *portfolio.Service, userID int64, a portfolio.Account, active, path string) (pages.PortfolioNav, error) {
	accts, err := pf.Accounts(ctx, userID)
	if err != nil {
		return pages.PortfolioNav{}, err
	}
	n := pages.PortfolioNav{AccountID: a.ID, Active: active, Path: path}
	for _, x := range accts {
		n.Accounts = append(n.Accounts, components.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
	}
	return n, nil
}

// accountOptions lists the user's accounts for a select.
func accountOptions(ctx context.Context, pf *portfolio.Service, userID int64) ([]components.Option, error) {
	accts, err := pf.Accounts(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]components.Option, len(accts))
	for i, a := range accts {
		out[i] = components.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name + " (" + fmtMoney(a.Cash) + ")"}
	}
	return out, nil
}

func methodLabel(m tax.Method) string {
	for _, o := range pages.MethodOptions {
		if o.Value == string(m) {
			return o.Label
		}
	}
	return string(m)
}

// summaryView maps a valuation to the summary cards.
func summaryView(v portfolio.Valuation, twr decimal.Decimal) components.PortfolioSummaryView {
	return components.PortfolioSummaryView{
		AccountID: v.Account.ID,
		Total:     fmtMoney(v.Total), Cash: fmtMoney(v.Cash), MarketValue: fmtMoney(v.MarketValue),
		Return: fmtSigned(v.Return), ReturnPct: fmtPct(v.ReturnPct), ReturnDir: fmtDir(v.Return),
		DayChange: fmtSigned(v.DayChange), DayDir: fmtDir(v.DayChange),
		Unrealised: fmtSigned(v.Unrealised), UnrealisedDir: fmtDir(v.Unrealised),
		Realised: fmtSigned(v.Realised), RealisedDir: fmtDir(v.Realised),
		Dividends: fmtMoney(v.Dividends), Brokerage: fmtMoney(v.Brokerage), CostBase: fmtMoney(v.CostBase),
		TWR: fmtPct(twr), TWRDir: fmtDir(twr),
		AsOf: display.Clock(v.AsOf),
	}
}

// holdingsView maps a valuation's holdings to the table.
func holdingsView(v portfolio.Valuation) components.HoldingsView {
	out := components.HoldingsView{AccountID: v.Account.ID, Total: fmtMoney(v.MarketValue)}
	for _, h := range v.Holdings {
		out.Rows = append(out.Rows, components.HoldingRow{
			Code: h.Code, Name: h.Name, Sector: h.Sector,
			Quantity: fmtQty(h.Quantity), AvgCost: "$" + h.AvgCost.StringFixed(3), CostBase: fmtMoney(h.CostBase),
			Price: fmtPrice(h.Price), MarketValue: fmtMoney(h.MarketValue), Priced: h.Priced,
			Unrealised: fmtSigned(h.Unrealised), UnrealisedPct: fmtPct(h.UnrealisedPct), UnrealisedDir: fmtDir(h.Unrealised),
			DayChange: fmtSigned(h.DayChange), DayDir: fmtDir(h.DayChange),
			Weight: fmtShare(h.Weight), Parcels: len(h.Parcels),
		})
	}
	return out
}

func allocationBars(slices []portfolio.Slice) []components.AllocationBar {
	out := make([]components.AllocationBar, 0, len(slices))
	for _, s := range slices {
		pct := int(s.Weight.Mul(decimal.NewFromInt(100)).Round(0).IntPart())
		out = append(out, components.AllocationBar{Label: s.Label, Value: fmtMoney(s.Value),
			Share: fmtShare(s.Weight), Percent: pct})
	}
	return out
}

// orderRow maps an order for the tables.
func orderRow(o portfolio.Order) components.OrderRow {
	r := components.OrderRow{ID: o.ID, Placed: display.DateTime(o.CreatedAt), Code: o.Code, Side: o.Side,
		Type: strings.ReplaceAll(o.Type, "_", "-"), Quantity: fmtQty(o.Quantity), TIF: strings.ToUpper(o.TIF),
		State: string(o.State), Reason: o.Reason, Active: o.State.Active(), Price: "market"}
	switch {
	case o.LimitPrice.Valid && o.StopPrice.Valid:
		r.Price = "stop " + fmtPrice(o.StopPrice.Decimal) + ", limit " + fmtPrice(o.LimitPrice.Decimal)
	case o.LimitPrice.Valid:
		r.Price = fmtPrice(o.LimitPrice.Decimal)
	case o.StopPrice.Valid:
		r.Price = "stop " + fmtPrice(o.StopPrice.Decimal)
	}
	if o.Fill != nil {
		r.FillPrice, r.Brokerage, r.Total = fmtPrice(o.Fill.Price), fmtMoney(o.Fill.Brokerage), fmtMoney(o.Fill.Total(o.Side))
	}
	return r
}

func disposalRows(ds []tax.Disposal) []components.DisposalRow {
	out := make([]components.DisposalRow, len(ds))
	for i, d := range ds {
		out[i] = components.DisposalRow{Code: d.Code, Acquired: fmtDate(d.Acquired), Sold: fmtDate(d.Sold),
			Quantity: fmtQty(d.Quantity), CostBase: fmtMoney(d.CostBase), Proceeds: fmtMoney(d.Proceeds),
			Gain: fmtSigned(d.Gain), GainDir: fmtDir(d.Gain), Discountable: d.Discountable, Method: string(d.Method)}
	}
	return out
}

// fieldMessages turns an error's messages into a list for the preview.
func fieldMessages(err error) []string {
	ae, ok := userFixable(err)
	if !ok {
		return []string{"The estimate is not available right now."}
	}
	if len(ae.Fields) == 0 {
		return []string{ae.Message}
	}
	var out []string
	for _, f := range []string{"account", "code", "side", "type", "quantity", "limit_price", "stop_price", "tif", "expires", "picks"} {
		if m, ok := ae.Fields[f]; ok {
			out = append(out, m)
		}
	}
	return out
}

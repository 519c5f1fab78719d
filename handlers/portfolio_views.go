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

// Paper-trading view models: the account a request names, the portfolio
// sub-navigation, and domain values mapped to formatted rows.

// currentAccount is the signed-in user's account named by the request (the
// default when none is named); another user's account is a 404.
func currentAccount(c echo.Context, pf *portfolio.Service) (portfolio.Account, error) {
	id, err := accountParam(c)
	if err != nil {
		return portfolio.Account{}, err
	}
	return pf.Account(c.Request().Context(), currentUser(c).ID, id)
}

// pathAccount is the signed-in user's account named in the path (:id).
func pathAccount(c echo.Context, pf *portfolio.Service) (portfolio.Account, error) {
	id, err := idParam(c, "Paper account")
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
		out[i] = components.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name + " (" + display.Money(a.Cash) + ")"}
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
	sv := components.PortfolioSummaryView{
		AccountID: v.Account.ID,
		Total:     display.Money(v.Total), Cash: display.Money(v.Cash), MarketValue: display.Money(v.MarketValue),
		Return: display.SignedMoney(v.Return), ReturnPct: display.PctOf(v.ReturnPct), ReturnDir: display.DirOf(v.Return),
		DayChange: display.SignedMoney(v.DayChange), DayDir: display.DirOf(v.DayChange),
		Unrealised: display.SignedMoney(v.Unrealised), UnrealisedDir: display.DirOf(v.Unrealised),
		Realised: display.SignedMoney(v.Realised), RealisedDir: display.DirOf(v.Realised),
		Dividends: display.Money(v.Dividends), Brokerage: display.Money(v.Brokerage), CostBase: display.Money(v.CostBase),
		TWR: display.PctOf(twr), TWRDir: display.DirOf(twr),
		AsOf: display.Clock(v.AsOf),
	}
	if v.Receivable.IsPositive() {
		sv.Receivable = display.Money(v.Receivable)
	}
	return sv
}

// holdingsView maps a valuation's holdings to the table.
func holdingsView(v portfolio.Valuation) components.HoldingsView {
	out := components.HoldingsView{AccountID: v.Account.ID, Total: display.Money(v.MarketValue)}
	for _, h := range v.Holdings {
		out.Rows = append(out.Rows, components.HoldingRow{
			Code: h.Code, Name: h.Name, Sector: h.Sector,
			Quantity: display.Quantity(h.Quantity), AvgCost: "$" + h.AvgCost.StringFixed(3), CostBase: display.Money(h.CostBase),
			Price: display.TradePrice(h.Price), MarketValue: display.Money(h.MarketValue), Priced: h.Priced,
			Unrealised: display.SignedMoney(h.Unrealised), UnrealisedPct: display.PctOf(h.UnrealisedPct), UnrealisedDir: display.DirOf(h.Unrealised),
			DayChange: display.SignedMoney(h.DayChange), DayDir: display.DirOf(h.DayChange),
			Weight: display.Share(h.Weight), Parcels: len(h.Parcels),
		})
	}
	return out
}

func allocationBars(slices []portfolio.Slice) []components.AllocationBar {
	out := make([]components.AllocationBar, 0, len(slices))
	for _, s := range slices {
		pct := int(s.Weight.Mul(decimal.NewFromInt(100)).Round(0).IntPart())
		out = append(out, components.AllocationBar{Label: s.Label, Value: display.Money(s.Value),
			Share: display.Share(s.Weight), Percent: pct})
	}
	return out
}

// orderRow maps an order for the tables.
func orderRow(o portfolio.Order, at func(time.Time) time.Time) components.OrderRow {
	r := components.OrderRow{ID: o.ID, Placed: display.DateTime(at(o.CreatedAt)), Code: o.Code, Side: o.Side,
		Type: strings.ReplaceAll(o.Type, "_", "-"), Quantity: display.Quantity(o.Quantity), TIF: strings.ToUpper(o.TIF),
		State: string(o.State), Reason: o.Reason, Active: o.State.Active(), Price: "market"}
	switch {
	case o.LimitPrice.Valid && o.StopPrice.Valid:
		r.Price = "stop " + display.TradePrice(o.StopPrice.Decimal) + ", limit " + display.TradePrice(o.LimitPrice.Decimal)
	case o.LimitPrice.Valid:
		r.Price = display.TradePrice(o.LimitPrice.Decimal)
	case o.StopPrice.Valid:
		r.Price = "stop " + display.TradePrice(o.StopPrice.Decimal)
	}
	if o.Fill != nil {
		r.FillPrice, r.Brokerage, r.Total = display.TradePrice(o.Fill.Price), display.Money(o.Fill.Brokerage), display.Money(o.Fill.Total(o.Side))
	}
	return r
}

func disposalRows(ds []tax.Disposal) []components.DisposalRow {
	out := make([]components.DisposalRow, len(ds))
	for i, d := range ds {
		out[i] = components.DisposalRow{Code: d.Code, Acquired: display.ShortDate(d.Acquired), Sold: display.ShortDate(d.Sold),
			Quantity: display.Quantity(d.Quantity), CostBase: display.Money(d.CostBase), Proceeds: display.Money(d.Proceeds),
			Gain: display.SignedMoney(d.Gain), GainDir: display.DirOf(d.Gain), Discountable: d.Discountable, Method: string(d.Method)}
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
	for _, f := range portfolio.OrderFields {
		if m, ok := ae.Fields[f]; ok {
			out = append(out, m)
		}
	}
	return out
}

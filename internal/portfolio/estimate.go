package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// Estimate is what an order would cost or raise at the current quote, shown
// in the order ticket before it is placed, with the CGT preview of a sell.
type Estimate struct {
	Code, Name string
	Side       string
	Quantity   decimal.Decimal
	Quote      market.Quote
	HasQuote   bool
	Price      decimal.Decimal // the price the estimate assumes
	PriceBasis string          // ask, bid, last, limit or stop
	Value      decimal.Decimal // quantity × price
	Brokerage  decimal.Decimal // from the account's schedule
	Total      decimal.Decimal // buy: value + brokerage; sell: value − brokerage
	Schedule   string
	Date       time.Time // trade date if it filled now (decides the financial year)

	Cash      decimal.Decimal // the account's cash
	Available decimal.Decimal // cash not held back by working buys
	Held      decimal.Decimal // shares of Code held (sells)

	// Sells: the parcels the sale would draw on and the capital gain.
	Disposals    []tax.Disposal
	Gain         decimal.Decimal // total gain (negative: a loss) before the discount
	Discountable decimal.Decimal // gains on parcels held at least 12 months
	Discount     decimal.Decimal // the 50 % discount on those gains, before any losses
}

// estimate prices sp at the current quote with a's brokerage.
func (s *Service) estimate(ctx context.Context, a Account, sp spec, now time.Time) (Estimate, error) {
	e := Estimate{Code: sp.code, Name: sp.name, Side: sp.side, Quantity: sp.qty, Schedule: a.FeeSchedule, Date: asx.TradeDate(now)}
	if s.quotes != nil {
		e.Quote, e.HasQuote = s.quotes.Quote(sp.code)
	}
	last, bid, ask := price(e.Quote.Last), price(e.Quote.Bid), price(e.Quote.Ask)
	switch {
	case sp.limit.Valid:
		e.Price, e.PriceBasis = sp.limit.Decimal, "limit"
	case sp.stop.Valid:
		e.Price, e.PriceBasis = sp.stop.Decimal, "stop"
	case sp.side == sideBuy && ask.IsPositive():
		e.Price, e.PriceBasis = ask, "ask"
	case sp.side == sideSell && bid.IsPositive():
		e.Price, e.PriceBasis = bid, "bid"
	default:
		e.Price, e.PriceBasis = last, "last"
	}
	if !e.Price.IsPositive() {
		return e, &apperr.Error{Code: apperr.Unprocessable, Field: "code",
			Message: fmt.Sprintf("There is no price for %s yet; place a limit order instead.", sp.code)}
	}
	e.Value = money(sp.qty.Mul(e.Price))
	e.Brokerage = a.Schedule().Fee(fees.Side(sp.side), e.Value)
	if sp.side == sideBuy {
		e.Total = e.Value.Add(e.Brokerage)
	} else {
		e.Total = e.Value.Sub(e.Brokerage)
		if !e.Total.IsPositive() {
			return e, &apperr.Error{Code: apperr.Unprocessable, Field: "quantity", Message: fmt.Sprintf(
				"This sale is worth $%s, no more than its $%s brokerage.", e.Value.StringFixed(2), e.Brokerage.StringFixed(2))}
		}
	}
	return e, nil
}

// Preview validates an order and estimates it for the ticket: the cost with
// brokerage, the cash available, and for a sell the parcels it would draw on
// with the estimated capital gain and discount. Nothing is written.
func (s *Service) Preview(ctx context.Context, userID int64, in OrderInput) (Estimate, error) {
	now := s.sessionNow()
	sp, err := s.validate(ctx, in, asx.TradeDate(now))
	if err != nil {
		return Estimate{}, err
	}
	a, err := s.Account(ctx, userID, in.AccountID)
	if err != nil {
		return Estimate{}, err
	}
	e, err := s.estimate(ctx, a, sp, now)
	if err != nil {
		return e, err
	}
	reserved, err := s.q.SumActiveBuyReserve(ctx, db.SumActiveBuyReserveParams{AccountID: a.ID, Generation: a.Generation})
	if err != nil {
		return e, err
	}
	e.Cash, e.Available = a.Cash, a.Cash.Sub(reserved)
	if sp.side != sideSell {
		return e, nil
	}
	parcels, err := s.openParcels(ctx, s.q, a, sp.code)
	if err != nil {
		return e, err
	}
	for _, p := range parcels {
		e.Held = e.Held.Add(p.Quantity)
	}
	sale := tax.Sale{Code: sp.code, Date: e.Date, Quantity: sp.qty, Proceeds: e.Total, Method: a.Method}
	if len(sp.picks) > 0 {
		sale.Method, sale.Picks = tax.Specific, sp.picks
	}
	e.Disposals, err = tax.MatchSale(parcels, sale)
	if err != nil {
		ae, _ := apperr.As(err)
		field := "quantity"
		if ae != nil && ae.Field == "picks" {
			field = "picks"
		}
		return e, &apperr.Error{Code: apperr.Unprocessable, Field: field, Message: apperr.MessageOf(err)}
	}
	for _, d := range e.Disposals {
		e.Gain = e.Gain.Add(d.Gain)
		if d.Discountable {
			e.Discountable = e.Discountable.Add(d.Gain)
		}
	}
	e.Discount = money(e.Discountable.Mul(DiscountRate))
	return e, nil
}

// openParcels returns a's open parcels of code ("" = every code) as tax parcels.
func (s *Service) openParcels(ctx context.Context, q *db.Queries, a Account, code string) ([]tax.Parcel, error) {
	rows, err := q.ListOpenParcels(ctx, db.ListOpenParcelsParams{AccountID: a.ID, Generation: a.Generation, Code: code})
	if err != nil {
		return nil, err
	}
	out := make([]tax.Parcel, len(rows))
	for i, r := range rows {
		out[i] = tax.Parcel{ID: r.ID, Code: r.Code, Acquired: r.Acquired, Quantity: r.Quantity, CostBase: r.CostBase}
	}
	return out, nil
}

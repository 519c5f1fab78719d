package portfolio

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/market"
)

// View is one code's market as the matcher sees it at one moment.
type View struct {
	Last, Bid, Ask decimal.Decimal
	Trade          bool // Last was just printed by a trade in continuous trading
	Auction        bool // Last is an auction's single price, just printed
	Time           time.Time
}

// viewOf is the market after tick t, given the code's previous view.
func viewOf(prev View, t market.Tick) View {
	v := View{Last: prev.Last, Bid: prev.Bid, Ask: prev.Ask, Time: t.Time}
	if t.Bid > 0 {
		v.Bid = price(t.Bid)
	}
	if t.Ask > 0 {
		v.Ask = price(t.Ask)
	}
	if t.Kind != market.QuoteOnly && t.Size > 0 && t.Price > 0 {
		v.Last = price(t.Price)
		v.Trade = t.Kind == market.Trade
		v.Auction = t.Kind == market.Auction
	}
	return v
}

// Decision is what a market view does to a working order.
type Decision struct {
	Trigger bool // a stop order's stop price traded: it is now Triggered
	Fill    bool
	Price   decimal.Decimal
}

// Decide applies the matching rules to an order in state Open or Triggered:
//
//   - a stop (or stop-limit) triggers when a trade or auction prints at or
//     through its stop price (buy: at or above; sell: at or below), then acts
//     at once as a market (or limit) order on the same view;
//   - an auction print fills every marketable order at the auction price
//     (market orders, and limits the price does not go through);
//   - a market order fills at the opposite side of the quote (buy at the ask,
//     sell at the bid), or at the trade just printed when that side is empty;
//   - a buy limit fills at the ask when the ask is at or below the limit,
//     or at the limit when a trade prints at or below it (a sell limit: at the
//     bid at or above the limit, or at the limit when a trade prints at or
//     above it).
func Decide(o Order, v View) Decision {
	var d Decision
	buy := o.Side == sideBuy
	printed := (v.Trade || v.Auction) && v.Last.IsPositive()
	if (o.Type == Stop || o.Type == StopLimit) && o.State == Open {
		if !printed {
			return d
		}
		stop := o.StopPrice.Decimal
		if (buy && v.Last.LessThan(stop)) || (!buy && v.Last.GreaterThan(stop)) {
			return d
		}
		d.Trigger = true
	}
	limit, hasLimit := o.LimitPrice.Decimal, o.LimitPrice.Valid
	if v.Auction && v.Last.IsPositive() {
		if hasLimit && ((buy && v.Last.GreaterThan(limit)) || (!buy && v.Last.LessThan(limit))) {
			return d
		}
		d.Fill, d.Price = true, v.Last
		return d
	}
	side := v.Bid
	if buy {
		side = v.Ask
	}
	if !hasLimit {
		switch {
		case side.IsPositive():
			d.Fill, d.Price = true, side
		case printed:
			d.Fill, d.Price = true, v.Last
		}
		return d
	}
	switch {
	case side.IsPositive() && ((buy && !side.GreaterThan(limit)) || (!buy && !side.LessThan(limit))):
		d.Fill, d.Price = true, side
	case printed && ((buy && !v.Last.GreaterThan(limit)) || (!buy && !v.Last.LessThan(limit))):
		d.Fill, d.Price = true, limit
	}
	return d
}

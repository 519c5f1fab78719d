package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// execute fills the whole order at px in one database transaction: the order
// state and its history, the fill, the balanced ledger transaction with the
// cash balance row, and the parcels (a buy adds one; a sell draws on them by
// the account's method, or the picked parcels, and records the CGT
// disposals). trigger marks a stop order's trigger on the same view. A buy
// the cash cannot pay for, or a sell of shares no longer held, is rejected
// instead. It reports whether the order filled; an order no longer working is
// left alone.
func (s *Service) execute(ctx context.Context, orderID int64, px decimal.Decimal, session time.Time, trigger bool) (bool, error) {
	head, err := s.q.GetPaperOrder(ctx, orderID)
	if err != nil {
		return false, err
	}
	filled := false
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.LockPaperAccount(ctx, head.AccountID)
		if err != nil {
			return err
		}
		a := accountFrom(row)
		o, err := q.LockPaperOrder(ctx, orderID)
		if err != nil {
			return err
		}
		if !State(o.State).Active() {
			return nil
		}
		if o.State == string(Queued) {
			if err := transition(ctx, q, o, Open, "market open"); err != nil {
				return err
			}
			o.State = string(Open)
		}
		if trigger && o.State == string(Open) {
			reason := fmt.Sprintf("stop %s traded", o.StopPrice.Decimal.StringFixed(priceplaces(o.StopPrice.Decimal)))
			if err := transition(ctx, q, o, Triggered, reason); err != nil {
				return err
			}
			o.State = string(Triggered)
		}
		if o.Generation != a.Generation {
			return transition(ctx, q, o, Cancelled, "account reset")
		}
		reject := func(reason string) error { return transition(ctx, q, o, Rejected, reason) }
		value := money(o.Quantity.Mul(px))
		fee := a.Schedule().Fee(fees.Side(o.Side), value)
		day := asx.TradeDate(session)
		var parcels []tax.Parcel
		var disposals []tax.Disposal
		if o.Side == sideBuy {
			if a.Cash.LessThan(value.Add(fee)) {
				return reject(fmt.Sprintf("insufficient cash at fill: needed $%s, had $%s",
					value.Add(fee).StringFixed(2), a.Cash.StringFixed(2)))
			}
		} else {
			if !value.GreaterThan(fee) {
				return reject("sale worth no more than its brokerage")
			}
			if parcels, err = s.openParcels(ctx, q, a, o.Code); err != nil {
				return err
			}
			sale := tax.Sale{Code: o.Code, Date: day, Quantity: o.Quantity, Proceeds: value.Sub(fee), Method: a.Method}
			if picks := orderFrom(o).Picks; len(picks) > 0 {
				sale.Method, sale.Picks = tax.Specific, picks
			}
			if disposals, err = tax.MatchSale(parcels, sale); err != nil {
				if _, ok := apperr.As(err); ok {
					return reject("cannot sell: " + apperr.MessageOf(err))
				}
				return err
			}
		}
		settles := asx.Civil(s.cal.SettlementDate(time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, time.UTC)))
		fill, err := q.InsertPaperFill(ctx, db.InsertPaperFillParams{OrderID: o.ID, AccountID: a.ID, Generation: a.Generation,
			Code: o.Code, Side: o.Side, Quantity: o.Quantity, Price: px, Value: value, Brokerage: fee,
			TradeDate: day, SettlesOn: settles})
		if err != nil {
			return err
		}
		memo := fmt.Sprintf("%s %s %s @ %s, brokerage $%s", titleSide(o.Side), o.Quantity, o.Code,
			px.StringFixed(priceplaces(px)), fee.StringFixed(2))
		if o.Side == sideBuy {
			cost := value.Add(fee)
			if _, err := post(ctx, q, &a, kindBuy, memo, &fill.ID, nil,
				holdingsLine(o.Code, o.Quantity, cost), line(bookCash, cost.Neg())); err != nil {
				return err
			}
			if _, err := q.InsertParcel(ctx, db.InsertParcelParams{AccountID: a.ID, Generation: a.Generation,
				Code: o.Code, FillID: fill.ID, Acquired: day, Quantity: o.Quantity, CostBase: cost}); err != nil {
				return err
			}
		} else if err := s.recordSale(ctx, q, &a, fill, memo, parcels, disposals); err != nil {
			return err
		}
		filled = true
		return transition(ctx, q, o, Filled, "filled at "+px.StringFixed(priceplaces(px)))
	})
	return filled, err
}

// recordSale posts a sale to the ledger and records its disposals against
// the parcels.
func (s *Service) recordSale(ctx context.Context, q *db.Queries, a *Account, fill db.PaperFill, memo string,
	parcels []tax.Parcel, disposals []tax.Disposal) error {
	net := fill.Value.Sub(fill.Brokerage)
	costSold := decimal.Zero
	for _, d := range disposals {
		costSold = costSold.Add(d.CostBase)
	}
	if _, err := post(ctx, q, a, kindSell, memo, &fill.ID, nil,
		line(bookCash, net),
		holdingsLine(fill.Code, fill.Quantity.Neg(), costSold.Neg()),
		line(bookRealised, net.Sub(costSold).Neg())); err != nil {
		return err
	}
	left, err := tax.Remaining(parcels, disposals)
	if err != nil {
		return err
	}
	remaining := map[int64]tax.Parcel{}
	for _, p := range left {
		remaining[p.ID] = p
	}
	for _, d := range disposals {
		p := remaining[d.ParcelID] // zero value: sold in full
		if err := q.SetParcelRemaining(ctx, db.SetParcelRemainingParams{ID: d.ParcelID, Quantity: p.Quantity, CostBase: p.CostBase}); err != nil {
			return err
		}
		if err := q.InsertDisposal(ctx, db.InsertDisposalParams{FillID: fill.ID, ParcelID: d.ParcelID, AccountID: a.ID,
			Generation: a.Generation, Code: d.Code, Quantity: d.Quantity, Acquired: d.Acquired, Sold: d.Sold,
			CostBase: d.CostBase, Proceeds: d.Proceeds, Gain: d.Gain, Discountable: d.Discountable, Method: string(d.Method)}); err != nil {
			return err
		}
	}
	return nil
}

func titleSide(side string) string {
	if side == sideSell {
		return "Sell"
	}
	return "Buy"
}

// priceplaces is how many decimals a price is shown with: three under $2.
func priceplaces(p decimal.Decimal) int32 {
	if p.LessThan(decimal.NewFromInt(2)) {
		return 3
	}
	return 2
}

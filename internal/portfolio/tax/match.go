package tax

import (
	"slices"
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/shopspring/decimal"
)

// lot is a quantity taken from one parcel for a sale.
type lot struct {
	parcel   Parcel
	quantity decimal.Decimal
}

// MatchSale matches sale against parcels and returns one disposal per parcel
// drawn on, in the order the method consumes them.
//
// Only parcels of the sale's code (case ignored) acquired on or before the
// sale date are considered; parcels with zero quantity are skipped. Orders:
//
//   - FIFO: acquisition date, then parcel id.
//   - LIFO: the reverse of FIFO.
//   - MinGain: highest cost base per share first; MaxGain: lowest first.
//     Ties fall back to FIFO order, which also prefers the older parcels that
//     are more likely to qualify for the discount.
//   - Specific: the picks, in the order given.
//
// Amounts are apportioned by quantity and rounded to cents, halves away from
// zero. A parcel sold in part gives up round(cost base × sold ÷ held); the
// rest stays with the parcel (see Remaining), so the parts always sum to the
// whole. Proceeds are shared by cumulative rounding: piece k receives
// round(P × q1..k ÷ Q) − round(P × q1..k−1 ÷ Q), and the last piece takes
// whatever remains, so the pieces sum exactly to the sale's proceeds and none
// is negative.
//
// Errors: invalid sale fields and picks are apperr Invalid naming the field;
// selling more than is held, or more than a picked parcel holds, is apperr
// Unprocessable.
func MatchSale(parcels []Parcel, sale Sale) ([]Disposal, error) {
	method, err := ParseMethod(string(sale.Method))
	if err != nil {
		return nil, err
	}
	if err := checkSale(sale, method); err != nil {
		return nil, err
	}
	held, err := heldParcels(parcels, sale)
	if err != nil {
		return nil, err
	}
	total := decimal.Zero
	for _, p := range held {
		total = total.Add(p.Quantity)
	}
	if sale.Quantity.GreaterThan(total) {
		return nil, apperr.New(apperr.Unprocessable, "cannot sell %s %s: %s held on %s",
			sale.Quantity, strings.ToUpper(sale.Code), total, asx.Civil(sale.Date).Format(dateLayout))
	}
	var lots []lot
	if method == Specific {
		lots, err = pickLots(held, sale)
		if err != nil {
			return nil, err
		}
	} else {
		lots = orderLots(held, sale.Quantity, method)
	}
	return dispose(lots, sale, method), nil
}

// checkSale validates the sale's own fields.
func checkSale(sale Sale, method Method) error {
	switch {
	case strings.TrimSpace(sale.Code) == "":
		return apperr.FieldError("code", "choose the shares to sell")
	case sale.Date.IsZero():
		return apperr.FieldError("date", "a sale needs a date")
	case !sale.Quantity.IsPositive():
		return apperr.FieldError("quantity", "quantity to sell must be positive, not %s", sale.Quantity)
	case sale.Proceeds.IsNegative():
		return apperr.FieldError("proceeds", "sale proceeds must not be negative, not %s", sale.Proceeds)
	case method == Specific && len(sale.Picks) == 0:
		return apperr.FieldError("picks", "choose the parcels to sell")
	case method != Specific && len(sale.Picks) > 0:
		return apperr.FieldError("picks", "parcels are picked only with the specific method, not %s", method)
	}
	return nil
}

// heldParcels returns the parcels of the sale's code held on the sale date,
// rejecting parcels whose figures cannot be right.
func heldParcels(parcels []Parcel, sale Sale) ([]Parcel, error) {
	code := strings.TrimSpace(sale.Code)
	sold := asx.Civil(sale.Date)
	seen := make(map[int64]bool)
	var held []Parcel
	for _, p := range parcels {
		if !strings.EqualFold(strings.TrimSpace(p.Code), code) {
			continue
		}
		if seen[p.ID] {
			return nil, apperr.FieldError("parcels", "parcel %d appears more than once", p.ID)
		}
		seen[p.ID] = true
		if p.Quantity.IsNegative() {
			return nil, apperr.FieldError("parcels", "parcel %d has a negative quantity %s", p.ID, p.Quantity)
		}
		if p.CostBase.IsNegative() {
			return nil, apperr.FieldError("parcels", "parcel %d has a negative cost base %s", p.ID, p.CostBase)
		}
		if p.Quantity.IsZero() || asx.Civil(p.Acquired).After(sold) {
			continue
		}
		held = append(held, p)
	}
	return held, nil
}

// fifoOrder orders parcels by acquisition date, then id.
func fifoOrder(a, b Parcel) int {
	if c := asx.Civil(a.Acquired).Compare(asx.Civil(b.Acquired)); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// unitCostOrder compares cost base per share, cross-multiplied so that no
// division rounds: a negative result means a costs less per share than b.
func unitCostOrder(a, b Parcel) int {
	return a.CostBase.Mul(b.Quantity).Cmp(b.CostBase.Mul(a.Quantity))
}

// orderLots takes quantity from held in the method's order.
func orderLots(held []Parcel, quantity decimal.Decimal, method Method) []lot {
	ordered := slices.Clone(held)
	slices.SortStableFunc(ordered, func(a, b Parcel) int {
		switch method {
		case LIFO:
			return fifoOrder(b, a)
		case MinGain:
			if c := unitCostOrder(b, a); c != 0 {
				return c
			}
		case MaxGain:
			if c := unitCostOrder(a, b); c != 0 {
				return c
			}
		}
		return fifoOrder(a, b)
	})
	var lots []lot
	left := quantity
	for _, p := range ordered {
		if !left.IsPositive() {
			break
		}
		take := decimal.Min(left, p.Quantity)
		lots = append(lots, lot{parcel: p, quantity: take})
		left = left.Sub(take)
	}
	return lots
}

// pickLots validates a Specific sale's picks against the parcels held.
func pickLots(held []Parcel, sale Sale) ([]lot, error) {
	byID := make(map[int64]Parcel, len(held))
	for _, p := range held {
		byID[p.ID] = p
	}
	picked := make(map[int64]bool, len(sale.Picks))
	lots := make([]lot, 0, len(sale.Picks))
	sum := decimal.Zero
	for _, pk := range sale.Picks {
		p, ok := byID[pk.ParcelID]
		switch {
		case !ok:
			return nil, apperr.FieldError("picks", "parcel %d is not a %s parcel held on %s",
				pk.ParcelID, strings.ToUpper(sale.Code), asx.Civil(sale.Date).Format(dateLayout))
		case picked[pk.ParcelID]:
			return nil, apperr.FieldError("picks", "parcel %d is picked more than once", pk.ParcelID)
		case !pk.Quantity.IsPositive():
			return nil, apperr.FieldError("picks", "quantity picked from parcel %d must be positive, not %s",
				pk.ParcelID, pk.Quantity)
		case pk.Quantity.GreaterThan(p.Quantity):
			return nil, apperr.New(apperr.Unprocessable, "cannot sell %s from parcel %d: it holds %s",
				pk.Quantity, pk.ParcelID, p.Quantity)
		}
		picked[pk.ParcelID] = true
		sum = sum.Add(pk.Quantity)
		lots = append(lots, lot{parcel: p, quantity: pk.Quantity})
	}
	if !sum.Equal(sale.Quantity) {
		return nil, apperr.FieldError("picks", "picked parcels add up to %s shares but the sale is %s",
			sum, sale.Quantity)
	}
	return lots, nil
}

// dispose turns lots into disposals, apportioning cost base and proceeds.
func dispose(lots []lot, sale Sale, method Method) []Disposal {
	sold := asx.Civil(sale.Date)
	out := make([]Disposal, 0, len(lots))
	cumQuantity, cumProceeds := decimal.Zero, decimal.Zero
	for i, l := range lots {
		cumQuantity = cumQuantity.Add(l.quantity)
		upTo := sale.Proceeds
		if i < len(lots)-1 {
			upTo = sale.Proceeds.Mul(cumQuantity).DivRound(sale.Quantity, 2)
		}
		proceeds := upTo.Sub(cumProceeds)
		cumProceeds = upTo

		cost := l.parcel.CostBase
		if !l.quantity.Equal(l.parcel.Quantity) {
			cost = l.parcel.CostBase.Mul(l.quantity).DivRound(l.parcel.Quantity, 2)
		}
		gain := proceeds.Sub(cost)
		out = append(out, Disposal{
			ParcelID:     l.parcel.ID,
			Code:         l.parcel.Code,
			Quantity:     l.quantity,
			Acquired:     asx.Civil(l.parcel.Acquired),
			Sold:         sold,
			CostBase:     cost,
			Proceeds:     proceeds,
			Gain:         gain,
			Discountable: gain.IsPositive() && DiscountEligible(l.parcel.Acquired, sold),
			Method:       method,
		})
	}
	return out
}

// Remaining returns the parcels left after disposals: each parcel drawn on
// loses the quantity and the exact cost base its disposals took, and parcels
// sold in full are dropped. Disposals must come from MatchSale on these
// parcels; one naming an unknown parcel or taking more than a parcel holds is
// an apperr Invalid error.
func Remaining(parcels []Parcel, disposals []Disposal) ([]Parcel, error) {
	out := slices.Clone(parcels)
	for _, d := range disposals {
		i := slices.IndexFunc(out, func(p Parcel) bool {
			return p.ID == d.ParcelID && strings.EqualFold(strings.TrimSpace(p.Code), strings.TrimSpace(d.Code))
		})
		if i < 0 {
			return nil, apperr.FieldError("disposals", "disposal from parcel %d matches no parcel", d.ParcelID)
		}
		if d.Quantity.GreaterThan(out[i].Quantity) {
			return nil, apperr.FieldError("disposals", "disposal of %s from parcel %d exceeds the %s it holds",
				d.Quantity, d.ParcelID, out[i].Quantity)
		}
		out[i].Quantity = out[i].Quantity.Sub(d.Quantity)
		out[i].CostBase = out[i].CostBase.Sub(d.CostBase)
	}
	return slices.DeleteFunc(out, func(p Parcel) bool { return p.Quantity.IsZero() }), nil
}

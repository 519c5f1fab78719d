// Package fees computes brokerage from fee schedules held as data, so a broker's
// price list can live in a database row and change without a code change.
package fees

import (
	"github.com/shopspring/decimal"
)

// Side is the direction of a fill; percentage schedules may charge buys and
// sells at different rates.
type Side string

// Sides of a fill.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// Kind names the shape of a fee model.
type Kind string

// Fee model kinds.
const (
	// Tiered charges a fixed fee for each value band, then a percentage (with an
	// optional minimum) above the last band.
	Tiered Kind = "tiered"
	// Flat charges the same fee for every fill.
	Flat Kind = "flat"
	// Percentage charges a rate of the trade value, never less than a minimum.
	Percentage Kind = "percentage"
)

// Tier is one band of a tiered schedule: trades valued at most UpTo cost Fee.
type Tier struct {
	UpTo decimal.Decimal `json:"up_to"`
	Fee  decimal.Decimal `json:"fee"`
}

// Schedule describes a brokerage model as data. Which fields apply depends on
// Kind:
//
//   - tiered: Tiers, then BuyRate/SellRate and Minimum above the last tier;
//   - flat: FlatFee;
//   - percentage: BuyRate, SellRate and Minimum.
//
// Rates are fractions of trade value (0.0012 is 0.12 %); fees and minimums are
// dollars. The zero value is not a usable schedule: build one with Named or
// ParseSchedule, or call Validate.
type Schedule struct {
	Name     string          `json:"name,omitempty"`
	Kind     Kind            `json:"kind"`
	Tiers    []Tier          `json:"tiers,omitempty"`
	FlatFee  decimal.Decimal `json:"fee,omitzero"`
	BuyRate  decimal.Decimal `json:"buy_rate,omitzero"`
	SellRate decimal.Decimal `json:"sell_rate,omitzero"`
	Minimum  decimal.Decimal `json:"minimum,omitzero"`
}

// Fee returns the brokerage for one fill of tradeValue dollars on side.
//
// Percentage amounts are rounded to the nearest cent, half a cent rounding up,
// as broker contract notes do; the minimum is applied after rounding. A
// zero or negative trade value is no trade and costs nothing. Any side other
// than Sell is charged at the buy rate.
func (s Schedule) Fee(side Side, tradeValue decimal.Decimal) decimal.Decimal {
	if !tradeValue.IsPositive() {
		return decimal.Zero
	}
	switch s.Kind {
	case Flat:
		return s.FlatFee
	case Tiered:
		for _, t := range s.Tiers {
			if tradeValue.LessThanOrEqual(t.UpTo) {
				return t.Fee
			}
		}
		return s.percentage(side, tradeValue)
	case Percentage:
		return s.percentage(side, tradeValue)
	}
	return decimal.Zero
}

// percentage charges the side's rate with the schedule's minimum.
func (s Schedule) percentage(side Side, tradeValue decimal.Decimal) decimal.Decimal {
	rate := s.BuyRate
	if side == Sell {
		rate = s.SellRate
	}
	fee := roundCents(tradeValue.Mul(rate))
	return decimal.Max(fee, s.Minimum)
}

// roundCents rounds to the nearest cent, halves away from zero (up, for the
// positive amounts brokerage deals in).
func roundCents(d decimal.Decimal) decimal.Decimal {
	return d.Round(2)
}

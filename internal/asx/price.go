package asx

import (
	"math"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

// Equity price steps (asx.com.au/services/trading-services/price.htm): up to
// and including 10c the step is 0.1c; over 10c and below $2.00 it is 0.5c;
// from $2.00 it is 1c. The boundaries 0.10 and 2.00 lie on every step, so
// rounding a price to its own band's step always lands on a valid price.
var (
	stepMilli     = decimal.New(1, -3) // 0.1c, also the smallest valid price
	stepHalfCent  = decimal.New(5, -3) // 0.5c
	stepCent      = decimal.New(1, -2) // 1c
	tenCents      = decimal.New(10, -2)
	twoDollars    = decimal.New(2, 0)
	smallestPrice = stepMilli
)

// TickSize returns the ASX price step for an equity order at price: 0.001
// up to and including 0.10, 0.005 above 0.10 and below 2.00, and 0.01 from
// 2.00. Auction prices are exempt from steps; order prices are not.
func TickSize(price decimal.Decimal) decimal.Decimal {
	switch {
	case price.LessThanOrEqual(tenCents):
		return stepMilli
	case price.LessThan(twoDollars):
		return stepHalfCent
	}
	return stepCent
}

// RoundMode chooses the direction RoundToTick moves an off-step price.
type RoundMode int

// Rounding modes.
const (
	Nearest RoundMode = iota // the closer step; a price halfway between rounds up
	Down                     // the step at or below
	Up                       // the step at or above
)

// RoundToTick returns the valid ASX price that mode picks for price, using
// the step of price's own band. The result always passes ValidatePrice:
// anything below the smallest valid price (0.001), including zero and
// negative prices, becomes 0.001.
func RoundToTick(price decimal.Decimal, mode RoundMode) decimal.Decimal {
	if price.LessThan(smallestPrice) {
		return smallestPrice
	}
	down, up, exact := bracket(price)
	if exact {
		return price
	}
	switch mode {
	case Down:
		return down
	case Up:
		return up
	}
	// Nearest: go up when price is at least half a step above down.
	if price.Sub(down).Mul(decimal.New(2, 0)).GreaterThanOrEqual(up.Sub(down)) {
		return up
	}
	return down
}

// bracket returns the valid prices either side of a positive price, or exact
// if price is already on its step. QuoRem keeps the arithmetic exact where a
// division could round.
func bracket(price decimal.Decimal) (down, up decimal.Decimal, exact bool) {
	tick := TickSize(price)
	q, r := price.QuoRem(tick, 0)
	if r.IsZero() {
		return price, price, true
	}
	down = q.Mul(tick)
	return down, down.Add(tick), false
}

// ValidatePrice returns an Invalid error for the "price" field unless price
// is positive and on its ASX price step. The message names the nearest valid
// prices either side, so a user can correct the order in one go.
func ValidatePrice(price decimal.Decimal) error {
	if !price.IsPositive() {
		return apperr.FieldError("price", "price must be greater than zero")
	}
	down, up, exact := bracket(price)
	if exact {
		return nil
	}
	tick := TickSize(price)
	places := -tick.Exponent()
	if down.IsZero() {
		// Below the smallest price only one neighbour is a valid price.
		return apperr.FieldError("price",
			"price %s is not on the ASX price step of $%s; the nearest valid price is %s",
			price.String(), tick.String(), up.StringFixed(places))
	}
	return apperr.FieldError("price",
		"price %s is not on the ASX price step of $%s; nearest valid prices are %s and %s",
		price.String(), tick.String(), down.StringFixed(places), up.StringFixed(places))
}

// The float helpers work in whole units of 1e-8 dollars. Snapping to that
// grid first removes binary noise (2.005 is stored as 2.00499999...), so
// ties and band edges behave as they do for decimals; it is exact for any
// price below about $90 million.
const floatUnitsPerDollar = 1e8

func floatUnits(p float64) float64 { return math.Round(p * floatUnitsPerDollar) }

func tickUnits(units float64) float64 {
	switch {
	case units <= 0.10*floatUnitsPerDollar:
		return 0.001 * floatUnitsPerDollar
	case units < 2*floatUnitsPerDollar:
		return 0.005 * floatUnitsPerDollar
	}
	return 0.01 * floatUnitsPerDollar
}

// TickSizeFloat is TickSize for the market simulator's float64 prices. It
// returns exactly 0.001, 0.005 or 0.01.
func TickSizeFloat(p float64) float64 {
	return tickUnits(floatUnits(p)) / floatUnitsPerDollar
}

// RoundFloatToTick rounds p to the nearest valid ASX price, halfway up, like
// RoundToTick with Nearest, and returns the float64 closest to that decimal
// price, so 2.01 comes back as 2.01 and not 2.0099999. Prices below 0.001
// become 0.001; NaN and infinities are returned unchanged so a broken
// simulation stays visible.
func RoundFloatToTick(p float64) float64 {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return p
	}
	units := floatUnits(p)
	if units < 0.001*floatUnitsPerDollar {
		return 0.001
	}
	k := tickUnits(units)
	// Integer-valued floats divided once by a power of ten give the correctly
	// rounded float of the decimal price.
	return math.Floor(units/k+0.5) * k / floatUnitsPerDollar
}

// Package display formats numbers, money and times for Qlib Pro's pages: prices
// with the ASX's decimals, signed changes, thousands separators, Sydney time.
package display

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

var sydney = mustSydney()

func mustSydney() *time.Location {
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		return time.FixedZone("AEST", 10*3600)
	}
	return loc
}

// Price formats a share price: three decimals under $2 (the ASX half-cent
// step), two otherwise.
func Price(p float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	if math.Abs(p) < 2 {
		return strconv.FormatFloat(p, 'f', 3, 64)
	}
	return Thousands(strconv.FormatFloat(p, 'f', 2, 64))
}

// Index formats an index level with two decimals and separators.
func Index(v float64) string { return Thousands(strconv.FormatFloat(v, 'f', 2, 64)) }

// Change formats a signed price change with the decimals of the price it
// changed (three under $2, two otherwise).
func Change(c, price float64) string {
	s := Price(math.Abs(c))
	if math.Abs(price) >= 2 {
		s = Thousands(strconv.FormatFloat(math.Abs(c), 'f', 2, 64))
	}
	if c > 0 {
		return "+" + s
	}
	if c < 0 {
		return "−" + s
	}
	return s
}

// Pct formats a signed percentage from a fraction (0.0123 → "+1.23%").
func Pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(f*100), 'f', 2, 64) + "%"
	switch {
	case f > 0:
		return "+" + s
	case f < 0:
		return "−" + s
	}
	return s
}

// Dir returns "up", "down" or "" for colouring a change.
func Dir(c float64) string {
	switch {
	case c > 0:
		return "up"
	case c < 0:
		return "down"
	}
	return ""
}

// Int formats a whole number with thousands separators.
func Int(n int64) string { return Thousands(strconv.FormatInt(n, 10)) }

// Volume formats a share volume compactly (12.3M, 845.1K).
func Volume(n int64) string {
	switch {
	case n >= 1_000_000_000:
		return strconv.FormatFloat(float64(n)/1e9, 'f', 2, 64) + "B"
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 2, 64) + "M"
	case n >= 10_000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "K"
	}
	return Int(n)
}

// Money formats AUD with a dollar sign, cents and separators ("−$1,234.50").
func Money(d decimal.Decimal) string {
	s := Thousands(d.Abs().StringFixed(2))
	if d.IsNegative() {
		return "−$" + s
	}
	return "$" + s
}

// Thousands inserts commas into the integer part of a decimal string.
func Thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// Date formats a calendar date ("Thu 4 Jun 2026").
func Date(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// DateTime formats an instant in Sydney time ("4 Jun 2026 16:12 AEST").
func DateTime(t time.Time) string { return t.In(sydney).Format("2 Jan 2006 15:04 MST") }

// Clock formats an instant's Sydney time of day ("16:12:05").
func Clock(t time.Time) string { return t.In(sydney).Format("15:04:05") }

// ShortDate formats a calendar date without the weekday ("4 Jun 2026"), for
// tables of trades, parcels and dividends.
func ShortDate(t time.Time) string { return t.Format("2 Jan 2006") }

// DateRange formats a span of calendar dates ("2024-01-02 to 2025-12-31"),
// "–" when there is none.
func DateRange(start, end time.Time) string {
	if start.IsZero() {
		return "–"
	}
	return start.Format(time.DateOnly) + " to " + end.Format(time.DateOnly)
}

// Num formats a statistic with digits decimals, "–" when it could not be
// computed (NaN or infinite).
func Num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// SignedMoney is Money with an explicit sign ("+$12.50", "−$3.00").
func SignedMoney(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + Money(d)
	}
	return Money(d)
}

// DirOf is Dir of an exact amount.
func DirOf(d decimal.Decimal) string { return Dir(d.InexactFloat64()) }

// PctOf is Pct of an exact fraction.
func PctOf(frac decimal.Decimal) string { return Pct(frac.InexactFloat64()) }

// Share formats an unsigned percentage of a whole ("51.75%").
func Share(frac decimal.Decimal) string {
	return frac.Mul(decimal.NewFromInt(100)).StringFixed(2) + "%"
}

// Quantity formats a number of shares with separators ("12,500").
func Quantity(d decimal.Decimal) string { return Thousands(d.String()) }

// TradePrice formats an exact order or fill price, "–" when there is none.
func TradePrice(d decimal.Decimal) string {
	if d.IsZero() {
		return "–"
	}
	return Price(d.InexactFloat64())
}

// QuotePrice formats a live quote's price, "–" when there is none (no bid,
// no ask, no trade yet).
func QuotePrice(f float64) string {
	if f <= 0 {
		return "–"
	}
	return Price(f)
}

// Franking formats a franked percentage, "not stated" when the source gave
// none (which is not the same as unfranked).
func Franking(pct decimal.NullDecimal) string {
	if !pct.Valid {
		return "not stated"
	}
	return pct.Decimal.String() + " %"
}

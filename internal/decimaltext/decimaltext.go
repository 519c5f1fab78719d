// Package decimaltext reads the decimal numbers people and programs type —
// order quantities and prices, starting balances, dividend amounts — with
// their length bounded before any parsing. shopspring/decimal parses long
// digit strings through math/big in time that grows with the square of their
// length (a 1.9-million-digit quantity cost 4.7 s of CPU), so every
// user-supplied decimal goes through Parse rather than decimal.NewFromString.
package decimaltext

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// MaxLen is the longest text Parse reads, and the most digits a number may
// have when written out in full (so "1e40" is as long as forty zeros). No
// price, quantity or amount in the application needs more than about 20.
const MaxLen = 32

// ErrTooLong is returned for text longer than MaxLen characters and for
// exponents that would write out to more than MaxLen digits.
var ErrTooLong = fmt.Errorf("a number has at most %d characters", MaxLen)

// ErrSyntax is returned for text that is not a decimal number.
var ErrSyntax = errors.New("not a decimal number")

// Parse reads s as decimal.NewFromString does (digits with an optional sign,
// point and exponent), refusing text longer than MaxLen before parsing it.
// Callers trim and strip separators first: Parse sees exactly the number.
func Parse(s string) (decimal.Decimal, error) {
	if len(s) > MaxLen {
		return decimal.Decimal{}, ErrTooLong
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, ErrSyntax
	}
	// An exponent keeps the text short but not the work: comparing 1e9000
	// with a limit rescales it to nine thousand digits.
	if e := d.Exponent(); e > MaxLen || e < -MaxLen {
		return decimal.Decimal{}, ErrTooLong
	}
	return d, nil
}

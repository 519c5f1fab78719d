// Package tax works out Australian capital gains tax on share sales (parcel
// matching, the 12-month discount, the ATO method statement for a financial
// year) and franking credits on dividends, for individuals' paper portfolios.
//
// Dates are civil (calendar) dates: only the year, month and day of a
// time.Time are read, in the time's own location. Callers holding instants
// convert them to Australia/Sydney first so that a trade at 00:30 AEST on
// 1 July falls in the new financial year.
package tax

import (
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

// Parcel is shares of one code bought together. CostBase is the total cost
// base of the remaining Quantity, brokerage included.
type Parcel struct {
	ID       int64
	Code     string
	Acquired time.Time
	Quantity decimal.Decimal
	CostBase decimal.Decimal
}

// Method is how the parcels sold are identified.
type Method string

// Parcel identification methods. The ATO lets a taxpayer nominate the parcels
// sold; LIFO, minimum gain and maximum gain are systematic ways of
// nominating, and FIFO is the default when none is nominated.
const (
	// FIFO sells the oldest parcels first.
	FIFO Method = "fifo"
	// LIFO sells the newest parcels first.
	LIFO Method = "lifo"
	// MinGain sells the parcels with the highest cost base per share first,
	// giving the smallest gross gain (or largest loss) for the proceeds.
	MinGain Method = "min_gain"
	// MaxGain sells the parcels with the lowest cost base per share first.
	MaxGain Method = "max_gain"
	// Specific sells exactly the parcels and quantities the caller picks.
	Specific Method = "specific"
)

// Methods returns every method, FIFO (the default) first.
func Methods() []Method {
	return []Method{FIFO, LIFO, MinGain, MaxGain, Specific}
}

// ParseMethod returns the method named s; an empty s is FIFO.
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if m == "" {
		return FIFO, nil
	}
	for _, known := range Methods() {
		if m == known {
			return m, nil
		}
	}
	return "", apperr.FieldError("method",
		"unknown parcel method %q: use fifo, lifo, min_gain, max_gain or specific", s)
}

// Pick nominates a quantity from one parcel for a Specific sale.
type Pick struct {
	ParcelID int64
	Quantity decimal.Decimal
}

// Sale is one disposal of shares. Proceeds are the capital proceeds for the
// whole Quantity, net of the sale's brokerage. An empty Method means FIFO;
// Picks are used only, and required, with Specific.
type Sale struct {
	Code     string
	Date     time.Time
	Quantity decimal.Decimal
	Proceeds decimal.Decimal
	Method   Method
	Picks    []Pick
}

// Disposal is the part of a sale matched to one parcel: a CGT event with its
// own cost base, proceeds and gain. Acquired and Sold are civil dates at
// midnight UTC. Gain is negative for a capital loss. Discountable is true only
// for a gain on shares held at least 12 months; losses are never discounted.
type Disposal struct {
	ParcelID     int64
	Code         string
	Quantity     decimal.Decimal
	Acquired     time.Time
	Sold         time.Time
	CostBase     decimal.Decimal
	Proceeds     decimal.Decimal
	Gain         decimal.Decimal
	Discountable bool
	Method       Method
}

// IsLoss reports whether the disposal made a capital loss.
func (d Disposal) IsLoss() bool { return d.Gain.IsNegative() }

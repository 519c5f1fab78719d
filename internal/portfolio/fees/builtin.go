package fees

import (
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

// Names of the built-in schedules.
const (
	CommSec    = "commsec"
	SelfWealth = "selfwealth"
	Qlib       = "qlib"
)

// Names returns the names of the built-in schedules in sorted order.
func Names() []string {
	return []string{CommSec, Qlib, SelfWealth}
}

// Named returns a fresh copy of the built-in schedule called name (case and
// surrounding spaces ignored). The copy is the caller's to modify.
func Named(name string) (Schedule, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case CommSec:
		return commSec(), nil
	case SelfWealth:
		return selfWealth(), nil
	case Qlib:
		return qlib(), nil
	}
	return Schedule{}, apperr.FieldError("schedule",
		"unknown brokerage schedule %q: choose one of %s", name, strings.Join(Names(), ", "))
}

// commSec is CommSec's online price list for trades settled to a CommSec
// account: fixed fees to $25,000, then 0.12 %.
func commSec() Schedule {
	return Schedule{
		Name: CommSec,
		Kind: Tiered,
		Tiers: []Tier{
			{UpTo: dollars("1000"), Fee: dollars("5")},
			{UpTo: dollars("3000"), Fee: dollars("10")},
			{UpTo: dollars("10000"), Fee: dollars("19.95")},
			{UpTo: dollars("25000"), Fee: dollars("29.95")},
		},
		BuyRate:  dollars("0.0012"),
		SellRate: dollars("0.0012"),
	}
}

// selfWealth is SelfWealth's flat fee per filled order.
func selfWealth() Schedule {
	return Schedule{Name: SelfWealth, Kind: Flat, FlatFee: dollars("9.50")}
}

// qlib is Qlib's benchmark cost model: open (buy) 0.05 %, close (sell) 0.15 %,
// minimum $5.
func qlib() Schedule {
	return Schedule{
		Name:     Qlib,
		Kind:     Percentage,
		BuyRate:  dollars("0.0005"),
		SellRate: dollars("0.0015"),
		Minimum:  dollars("5"),
	}
}

// dollars parses a literal written in this file; a malformed literal is a
// programming error caught by the tests.
func dollars(s string) decimal.Decimal {
	return decimal.RequireFromString(s)
}

package tax

import (
	"slices"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/shopspring/decimal"
)

// Summary is a financial year's capital gains worked through the ATO's method
// statement, with the disposals behind it for a report. Losses are positive
// amounts.
type Summary struct {
	FY        int
	Disposals []Disposal // the year's disposals, by sale date

	DiscountableGains decimal.Decimal // gains on shares held at least 12 months
	OtherGains        decimal.Decimal // gains that cannot be discounted
	TotalGains        decimal.Decimal // total current year capital gains (tax return label 18H)

	CurrentLosses             decimal.Decimal // capital losses made this year
	PriorLosses               decimal.Decimal // net capital losses brought forward from earlier years
	LossesAgainstOther        decimal.Decimal // losses applied to OtherGains
	LossesAgainstDiscountable decimal.Decimal // losses applied to DiscountableGains

	DiscountRate       decimal.Decimal // 0.5 for individuals and trusts
	Discount           decimal.Decimal // the CGT discount taken off discountable gains left after losses
	NetCapitalGain     decimal.Decimal // label 18A
	LossCarriedForward decimal.Decimal // net capital losses carried forward to later years (label 18V)
}

// LossesApplied returns the capital losses, current and prior, used this year.
func (s Summary) LossesApplied() decimal.Decimal {
	return s.LossesAgainstOther.Add(s.LossesAgainstDiscountable)
}

// Summarise works out financial year fy from the disposals sold in it
// (others are ignored), following the ATO method statement:
//
//  1. Total the year's capital gains, split into discountable and other gains.
//  2. Apply this year's capital losses, then net capital losses from earlier
//     years (priorLosses). Each is applied first against gains that cannot be
//     discounted and only then against discountable gains: a dollar of loss
//     removes a full dollar of other gain but only (1 − discountRate) dollars
//     of discounted gain, so this order gives the smallest net capital gain.
//  3. Take the discount (discountRate × the discountable gains left, rounded
//     to the nearest cent, half a cent rounding up) off those gains.
//  4. The net capital gain is what remains; losses not used carry forward.
//
// discountRate is a fraction: 0.5 for individuals and trusts, one third for
// complying super funds, 0 for companies. A negative priorLosses counts as
// none and discountRate is clamped to 0..1, so the figures stay meaningful.
func Summarise(disposals []Disposal, fy int, priorLosses, discountRate decimal.Decimal) Summary {
	priorLosses = decimal.Max(priorLosses, decimal.Zero)
	discountRate = decimal.Min(decimal.Max(discountRate, decimal.Zero), decimal.NewFromInt(1))
	s := Summary{FY: fy, PriorLosses: priorLosses, DiscountRate: discountRate}
	for _, d := range disposals {
		if FinancialYear(d.Sold) != fy {
			continue
		}
		s.Disposals = append(s.Disposals, d)
		switch {
		case d.Gain.IsNegative():
			s.CurrentLosses = s.CurrentLosses.Add(d.Gain.Neg())
		case d.Discountable:
			s.DiscountableGains = s.DiscountableGains.Add(d.Gain)
		default:
			s.OtherGains = s.OtherGains.Add(d.Gain)
		}
	}
	slices.SortStableFunc(s.Disposals, func(a, b Disposal) int {
		return asx.Civil(a.Sold).Compare(asx.Civil(b.Sold))
	})
	s.TotalGains = s.DiscountableGains.Add(s.OtherGains)

	other, discountable := s.OtherGains, s.DiscountableGains
	unused := decimal.Zero
	for _, loss := range []decimal.Decimal{s.CurrentLosses, priorLosses} {
		a := decimal.Min(loss, other)
		other, loss = other.Sub(a), loss.Sub(a)
		b := decimal.Min(loss, discountable)
		discountable, loss = discountable.Sub(b), loss.Sub(b)
		s.LossesAgainstOther = s.LossesAgainstOther.Add(a)
		s.LossesAgainstDiscountable = s.LossesAgainstDiscountable.Add(b)
		unused = unused.Add(loss)
	}
	s.Discount = discountable.Mul(discountRate).Round(2)
	s.NetCapitalGain = other.Add(discountable).Sub(s.Discount)
	s.LossCarriedForward = unused
	return s
}

package tax

import (
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

// FrankingCredit returns the franking credit attached to a cash dividend:
//
//	dividend × frankedPct ÷ 100 × T ÷ (1 − T)
//
// rounded to the nearest cent (half a cent rounds up). frankedPct is a
// percentage from 0 to 100, as printed on dividend statements ("50 %
// franked" is 50); companyTaxRate T is a fraction from 0 up to but not
// including 1 (0.30 general, 0.25 base-rate entities). $10,000 at 50 %
// franked and 0.30 carries a credit of $2,142.86.
//
// Out-of-range inputs are apperr Invalid errors naming the input.
func FrankingCredit(dividend, frankedPct, companyTaxRate decimal.Decimal) (decimal.Decimal, error) {
	if dividend.IsNegative() {
		return decimal.Zero, apperr.FieldError("dividend", "dividend must not be negative, not %s", dividend)
	}
	hundred := decimal.NewFromInt(100)
	if frankedPct.IsNegative() || frankedPct.GreaterThan(hundred) {
		return decimal.Zero, apperr.FieldError("franked_pct",
			"franking percentage must be from 0 to 100, not %s", frankedPct)
	}
	one := decimal.NewFromInt(1)
	if companyTaxRate.IsNegative() || !companyTaxRate.LessThan(one) {
		return decimal.Zero, apperr.FieldError("company_tax_rate",
			"company tax rate must be a fraction below 1 (0.30 for 30 %%), not %s", companyTaxRate)
	}
	numerator := dividend.Mul(frankedPct).Mul(companyTaxRate)
	denominator := hundred.Mul(one.Sub(companyTaxRate))
	return numerator.DivRound(denominator, 2), nil
}

// GrossUp returns the grossed-up dividend: the cash dividend plus its
// franking credit (see FrankingCredit for the inputs). $10,000 at 50 %
// franked and 0.30 grosses up to $12,142.86.
func GrossUp(dividend, frankedPct, companyTaxRate decimal.Decimal) (decimal.Decimal, error) {
	credit, err := FrankingCredit(dividend, frankedPct, companyTaxRate)
	if err != nil {
		return decimal.Zero, err
	}
	return dividend.Add(credit), nil
}

package backtest

import (
	"context"
	"fmt"

	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// CompanyTaxRate is the rate franking credits are computed at (the general
// corporate rate; base-rate entities frank at 25 %).
var CompanyTaxRate = decimal.RequireFromString("0.30")

// TaxProfile is whose tax the after-tax view works out.
type TaxProfile struct {
	Name string `json:"name"`
	// Rate is the tax rate on the run's extra income (net capital gains,
	// dividends grossed up): the marginal rate for an individual, 15 % for a
	// complying super fund in accumulation phase.
	Rate decimal.Decimal `json:"rate"`
	// DiscountRate is the CGT discount on gains from shares held 12 months:
	// 1/2 for individuals, 1/3 for super funds (so 10 % on such gains).
	DiscountRate decimal.Decimal `json:"discount_rate"`
}

// Individual is an Australian resident individual at marginal rate rate
// (0.39 is the 37 % bracket plus the 2 % Medicare levy).
func Individual(rate decimal.Decimal) TaxProfile {
	return TaxProfile{Name: "individual", Rate: rate, DiscountRate: decimal.RequireFromString("0.5")}
}

// SMSF is a complying self-managed super fund in accumulation phase.
func SMSF() TaxProfile {
	return TaxProfile{Name: "smsf", Rate: decimal.RequireFromString("0.15"),
		DiscountRate: decimal.NewFromInt(1).Div(decimal.NewFromInt(3))}
}

// DefaultIndividualRate is the individual profile's default marginal rate.
var DefaultIndividualRate = decimal.RequireFromString("0.39")

// FYTax is one financial year of the after-tax view.
type FYTax struct {
	FY                 int             `json:"fy"`
	Label              string          `json:"label"`
	Disposals          int             `json:"disposals"`
	DiscountableGains  decimal.Decimal `json:"discountable_gains"`
	OtherGains         decimal.Decimal `json:"other_gains"`
	CurrentLosses      decimal.Decimal `json:"current_losses"`
	PriorLosses        decimal.Decimal `json:"prior_losses"`
	Discount           decimal.Decimal `json:"discount"`
	NetCapitalGain     decimal.Decimal `json:"net_capital_gain"`
	LossCarriedForward decimal.Decimal `json:"loss_carried_forward"`
	Dividends          decimal.Decimal `json:"dividends"`
	FrankingCredits    decimal.Decimal `json:"franking_credits"`
	// Tax is Rate × (net capital gain + dividends + franking credits) −
	// franking credits; negative when credits exceed the tax (refunded).
	Tax decimal.Decimal `json:"tax"`
}

// AfterTax is a run seen through one tax profile. Tax is worked out from
// the run's trades and dividends after the run; it is not taken out of the
// trading cash during the run (the account would hold a little less).
type AfterTax struct {
	Profile  TaxProfile      `json:"profile"`
	Years    []FYTax         `json:"years"`
	TotalTax decimal.Decimal `json:"total_tax"`
	// FinalValue is the account's last value less every year's tax, with
	// the positions still held (their gains not yet taxed).
	FinalValue   decimal.Decimal `json:"final_value"`
	TotalReturn  Num             `json:"total_return"`
	AnnualReturn Num             `json:"annual_return"`
	// LiquidatedValue is FinalValue if everything held were sold at the
	// last close (less brokerage and the tax on those sales).
	LiquidatedValue  decimal.Decimal `json:"liquidated_value"`
	LiquidatedReturn Num             `json:"liquidated_annual_return"`
	// DividendNote says where dividend data is missing.
	DividendNote string `json:"dividend_note,omitempty"`
}

// AfterTaxOf works out the tax of res for profile: parcels from the buys
// (cost base with brokerage), sales matched FIFO (what the engine sells
// first), the 12-month discount, losses against non-discountable gains
// first and carried forward, and franking credits on the dividends paid.
// dividendNote, when not empty, is kept to say the dividend data is
// incomplete.
func AfterTaxOf(res *Result, schedule fees.Schedule, profile TaxProfile, dividendNote string) (AfterTax, error) {
	if profile.Rate.IsNegative() || profile.Rate.GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return AfterTax{}, apperr.FieldError("tax_rate", "tax rate must be a fraction from 0 to below 1 (0.39 for 39 %%), not %s", profile.Rate)
	}
	out := AfterTax{Profile: profile, DividendNote: dividendNote, Years: []FYTax{}}
	parcels := map[string][]tax.Parcel{}
	var disposals []tax.Disposal
	id := int64(0)
	for _, tr := range res.Trades {
		switch tr.Side {
		case Buy:
			id++
			parcels[tr.Code] = append(parcels[tr.Code], tax.Parcel{ID: id, Code: tr.Code, Acquired: tr.Date,
				Quantity: decimal.NewFromInt(tr.Shares), CostBase: tr.Value.Add(tr.Cost)})
		case Sell:
			ds, err := sale(parcels, tr.Code, tr.Date, tr.Shares, tr.Value.Sub(tr.Cost))
			if err != nil {
				return AfterTax{}, err
			}
			disposals = append(disposals, ds...)
		}
	}
	years := yearsOf(res, disposals)
	liquidation := liquidate(res, schedule, parcels)
	out.Years, out.TotalTax = summarise(years, disposals, res.Dividends, profile)
	last := res.Days[len(res.Days)-1]
	first := res.Days[0]
	out.FinalValue = last.Value.Sub(out.TotalTax)
	n := len(res.Days) - 1
	total := out.FinalValue.Div(first.Value).InexactFloat64() - 1
	out.TotalReturn, out.AnnualReturn = Num(total), Num(annualise(total, n))

	// Liquidation: the same years with the deemed sales added to the last.
	all := append(slices.Clone(disposals), liquidation.disposals...)
	_, liqTax := summarise(yearsOf(res, all), all, res.Dividends, profile)
	out.LiquidatedValue = last.Value.Sub(liquidation.brokerage).Sub(liqTax)
	lt := out.LiquidatedValue.Div(first.Value).InexactFloat64() - 1
	out.LiquidatedReturn = Num(annualise(lt, n))
	return out, nil
}

// sale matches a sale FIFO against the code's parcels and keeps the rest.
// Brokerage larger than the sale's value leaves no capital proceeds; the
// excess is an incidental cost that adds to the cost base (and the loss) of
// the last parcel sold.
func sale(parcels map[string][]tax.Parcel, code string, date time.Time, shares int64, proceeds decimal.Decimal) ([]tax.Disposal, error) {
	excess := decimal.Zero
	if proceeds.IsNegative() {
		excess, proceeds = proceeds.Neg(), decimal.Zero
	}
	ds, err := tax.MatchSale(parcels[code], tax.Sale{Code: code, Date: date, Quantity: decimal.NewFromInt(shares),
		Proceeds: proceeds, Method: tax.FIFO})
	if err != nil {
		return nil, fmt.Errorf("backtest: tax on the sale of %s on %s: %w", code, date.Format(time.DateOnly), err)
	}
	left, err := tax.Remaining(parcels[code], ds)
	if err != nil {
		return nil, err
	}
	parcels[code] = left
	if excess.IsPositive() && len(ds) > 0 {
		d := &ds[len(ds)-1]
		d.CostBase = d.CostBase.Add(excess)
		d.Gain = d.Gain.Sub(excess)
		d.Discountable = d.Discountable && d.Gain.IsPositive()
	}
	return ds, nil
}

type liquidation struct {
	disposals []tax.Disposal
	brokerage decimal.Decimal
}

// liquidate is the sale of every parcel still held at the last close.
func liquidate(res *Result, schedule fees.Schedule, parcels map[string][]tax.Parcel) liquidation {
	last := res.Days[len(res.Days)-1].Date
	var out liquidation
	for _, h := range res.Holdings {
		if !h.Date.Equal(last) || h.Shares == 0 {
			continue
		}
		cost := schedule.Fee(fees.Sell, h.Value)
		out.brokerage = out.brokerage.Add(cost)
		if ds, err := sale(parcels, h.Code, last, h.Shares, h.Value.Sub(cost)); err == nil {
			out.disposals = append(out.disposals, ds...)
		}
	}
	return out
}

// yearsOf lists the financial years the run spans, ascending.
func yearsOf(res *Result, disposals []tax.Disposal) []int {
	first := tax.FinancialYear(res.Days[0].Date)
	last := tax.FinancialYear(res.Days[len(res.Days)-1].Date)
	for _, d := range disposals {
		last = max(last, tax.FinancialYear(d.Sold))
	}
	var ys []int
	for y := first; y <= last; y++ {
		ys = append(ys, y)
	}
	return ys
}

// summarise works through each year, carrying losses forward.
func summarise(years []int, disposals []tax.Disposal, divs []DividendPaid, profile TaxProfile) ([]FYTax, decimal.Decimal) {
	out := make([]FYTax, 0, len(years))
	prior, total := decimal.Zero, decimal.Zero
	for _, fy := range years {
		s := tax.Summarise(disposals, fy, prior, profile.DiscountRate)
		y := FYTax{FY: fy, Label: tax.FYLabel(fy), Disposals: len(s.Disposals),
			DiscountableGains: s.DiscountableGains, OtherGains: s.OtherGains, CurrentLosses: s.CurrentLosses,
			PriorLosses: s.PriorLosses, Discount: s.Discount, NetCapitalGain: s.NetCapitalGain,
			LossCarriedForward: s.LossCarriedForward}
		for _, d := range divs {
			if tax.FinancialYear(d.PayDate) != fy {
				continue
			}
			credit, err := tax.FrankingCredit(d.Cash, d.FrankingPct, CompanyTaxRate)
			if err != nil {
				continue // a franking % outside 0–100 is not a credit
			}
			y.Dividends = y.Dividends.Add(d.Cash)
			y.FrankingCredits = y.FrankingCredits.Add(credit)
		}
		income := y.NetCapitalGain.Add(y.Dividends).Add(y.FrankingCredits)
		y.Tax = income.Mul(profile.Rate).Round(2).Sub(y.FrankingCredits)
		total = total.Add(y.Tax)
		prior = s.LossCarriedForward
		out = append(out, y)
	}
	return out, total
}

// Report is a run with its after-tax views and, for TopK-Dropout, the same
// run with CGT-aware dropout switched the other way, for comparison.
type Report struct {
	Result      *Result    `json:"result"`
	AfterTax    []AfterTax `json:"after_tax"`
	Counterpart *Variant   `json:"counterpart,omitempty"`
}

// Variant is the comparison run's summary.
type Variant struct {
	CGTAware bool       `json:"cgt_aware"`
	Deferred int        `json:"deferred"`
	Metrics  Metrics    `json:"metrics"`
	AfterTax []AfterTax `json:"after_tax"`
}

// RunReport runs p over d, works out its tax for each profile and, for
// TopK-Dropout, runs the counterpart with CGTAware flipped.
func RunReport(ctx context.Context, d *Data, p Params, profiles []TaxProfile, dividendNote string, progress Progress) (*Report, error) {
	p = p.Normalise()
	total := 1
	if p.Strategy == TopkDropout {
		total = 2
	}
	half := func(k int) Progress {
		if progress == nil {
			return nil
		}
		return func(done, n int) { progress(k*n+done, total*n) }
	}
	res, err := Run(ctx, d, p, half(0))
	if err != nil {
		return nil, err
	}
	schedule, _ := p.Schedule()
	rep := &Report{Result: res}
	if rep.AfterTax, err = afterTaxAll(res, schedule, profiles, dividendNote); err != nil {
		return nil, err
	}
	if p.Strategy != TopkDropout {
		return rep, nil
	}
	q := p
	q.CGTAware = !p.CGTAware
	q = q.Normalise()
	other, err := Run(ctx, d, q, half(1))
	if err != nil {
		return nil, err
	}
	v := &Variant{CGTAware: q.CGTAware, Deferred: other.Deferred, Metrics: other.Metrics}
	if v.AfterTax, err = afterTaxAll(other, schedule, profiles, dividendNote); err != nil {
		return nil, err
	}
	rep.Counterpart = v
	return rep, nil
}

func afterTaxAll(res *Result, schedule fees.Schedule, profiles []TaxProfile, note string) ([]AfterTax, error) {
	out := make([]AfterTax, 0, len(profiles))
	for _, pr := range profiles {
		a, err := AfterTaxOf(res, schedule, pr, note)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

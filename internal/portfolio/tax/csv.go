package tax

import (
	"encoding/csv"
	"io"

	"github.com/shopspring/decimal"
)

// dateLayout writes civil dates as YYYY-MM-DD.
const dateLayout = "2006-01-02"

// csvHeader names the columns of the CGT report.
func csvHeader() []string {
	return []string{
		"Code", "Acquired", "Sold", "Quantity", "Cost base", "Proceeds", "Gain", "Discountable", "Method",
	}
}

// CSV writes s as a CGT report: a header row, one row per disposal, then one
// row per summary figure. Every row has the same nine columns so that strict
// CSV readers accept the file; a summary row puts its label in the first
// column and its amount in the Gain column. Dates are YYYY-MM-DD and amounts
// have two decimal places.
func CSV(w io.Writer, s Summary) error {
	cw := csv.NewWriter(w)
	header := csvHeader()
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, d := range s.Disposals {
		discountable := "no"
		if d.Discountable {
			discountable = "yes"
		}
		row := []string{
			d.Code,
			d.Acquired.Format(dateLayout),
			d.Sold.Format(dateLayout),
			d.Quantity.String(),
			money(d.CostBase),
			money(d.Proceeds),
			money(d.Gain),
			discountable,
			string(d.Method),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	for _, f := range summaryFigures(s) {
		row := make([]string, len(header))
		row[0], row[6] = f.label, f.value
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

type figure struct{ label, value string }

// summaryFigures lists the method statement's figures in report order.
func summaryFigures(s Summary) []figure {
	return []figure{
		{"Financial year", FYLabel(s.FY)},
		{"Discountable capital gains", money(s.DiscountableGains)},
		{"Other capital gains", money(s.OtherGains)},
		{"Total current year capital gains", money(s.TotalGains)},
		{"Current year capital losses", money(s.CurrentLosses)},
		{"Prior year net capital losses", money(s.PriorLosses)},
		{"Losses applied to other gains", money(s.LossesAgainstOther)},
		{"Losses applied to discountable gains", money(s.LossesAgainstDiscountable)},
		{"Discount rate", s.DiscountRate.String()},
		{"CGT discount", money(s.Discount)},
		{"Net capital gain", money(s.NetCapitalGain)},
		{"Net capital losses carried forward", money(s.LossCarriedForward)},
	}
}

// money formats an amount in dollars with cents.
func money(d decimal.Decimal) string {
	return d.StringFixed(2)
}

package portfolio

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// TaxCSV writes the year's CGT schedule (see tax.CSV) followed by its
// dividend income in the same nine columns: a header row starting
// "Dividend", one row per dividend received (code, ex-date, pay date,
// shares, per share, franking %, cash, franking credit, grossed-up), then
// the income figures with their amount in the seventh column, as the CGT
// figures are. A franking % the source did not state is "not stated".
func TaxCSV(w io.Writer, r CGTReport, inc IncomeSummary) error {
	if err := r.CSV(w); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"Dividend", "Ex-date", "Paid", "Quantity", "Per share", "Franking %", "Cash", "Franking credit", "Grossed-up"}}
	for _, d := range inc.Dividends {
		pct := "not stated"
		if d.FrankingPct.Valid {
			pct = d.FrankingPct.Decimal.String()
		}
		rows = append(rows, []string{d.Code + " " + d.Kind, d.ExDate.Format(time.DateOnly), d.PayDate.Format(time.DateOnly),
			d.Quantity.String(), d.PerShare.String(), pct, cents(d.Amount), cents(d.FrankingCredit), cents(d.GrossedUp)})
	}
	for _, f := range []struct {
		label string
		v     decimal.Decimal
	}{
		{"Cash dividends", inc.Cash}, {"Franked amount", inc.Franked}, {"Unfranked amount", inc.Unfranked},
		{"Franking not stated by the source (no credit recorded)", inc.Unstated},
		{"Franking credits", inc.Credits}, {"Grossed-up dividends", inc.GrossedUp},
	} {
		rows = append(rows, figureRow(f.label, cents(f.v)))
	}
	if len(inc.NoData) > 0 {
		rows = append(rows, figureRow("Held codes without dividend data (not counted)", strings.Join(inc.NoData, " ")))
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func figureRow(label, value string) []string {
	row := make([]string, 9)
	row[0], row[6] = label, value
	return row
}

func cents(d decimal.Decimal) string { return d.StringFixed(2) }

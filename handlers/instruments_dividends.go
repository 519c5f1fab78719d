package handlers

import (
	"context"
	"strconv"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
)

// instrumentDividendsShown bounds the dividends an instrument page lists.
const instrumentDividendsShown = 40

// instrumentDividends is code's dividends with franking for its instrument
// page, with the coverage of the dividend data.
func instrumentDividends(ctx context.Context, q *db.Queries, code string) (components.InstrumentDividendsView, error) {
	v := components.InstrumentDividendsView{Code: code}
	cov, err := portfolio.DividendCoverage(ctx, q)
	if err != nil {
		return v, err
	}
	v.Covered = cov.List()
	cc, ok := cov.Of(code)
	if !ok {
		return v, nil
	}
	events, err := portfolio.InstrumentDividends(ctx, q, code, instrumentDividendsShown)
	if err != nil {
		return v, err
	}
	v.HasData, v.Truncated = true, cc.Events > len(events)
	v.Summary = strconv.Itoa(cc.Events) + " dividends with ex-dates " + display.ShortDate(cc.FirstEx) + " to " + display.ShortDate(cc.LastEx) +
		", " + strconv.Itoa(cc.WithFranking) + " with the franking stated; years without a row are missing data"
	for _, e := range events {
		credit, gross := "—", "—"
		if e.FrankingPct.Valid {
			credit, gross = "$"+e.FrankingCredit().StringFixed(4), "$"+e.GrossedUp().StringFixed(4)
		}
		v.Rows = append(v.Rows, components.InstrumentDividendRow{ExDate: display.ShortDate(e.ExDate), PayDate: display.ShortDate(e.PayDate),
			Kind: e.Kind, Amount: "$" + e.Amount.StringFixed(4), Franking: display.Franking(e.FrankingPct), Credit: credit, GrossedUp: gross,
			Source: e.Source})
	}
	return v, nil
}

// holdingsDividendNote names the held codes without dividend data: their
// dividends are in neither the account's income nor its return.
func holdingsDividendNote(ctx context.Context, pf *portfolio.Service, v portfolio.Valuation) (components.CoverageNote, error) {
	cov, err := pf.DividendCoverage(ctx)
	if err != nil {
		return components.CoverageNote{}, err
	}
	n := components.CoverageNote{Covered: cov.List()}
	for _, h := range v.Holdings {
		if !cov.Has(h.Code) {
			n.Missing = append(n.Missing, h.Code)
		}
	}
	return n, nil
}

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

// apiDividendsHandler serves the dividend data: an instrument's events and
// which codes have any.
type apiDividendsHandler struct {
	q      *db.Queries
	market *market.Service
}

type dividendJSON struct {
	ExDate         string      `json:"ex_date"`
	PayDate        string      `json:"pay_date"`
	Kind           string      `json:"kind"`
	Amount         apiDecimal  `json:"amount_aud_per_share"`
	FrankingPct    *apiDecimal `json:"franking_pct"` // null: not stated by the source
	FrankingCredit *apiDecimal `json:"franking_credit_per_share"`
	GrossedUp      *apiDecimal `json:"grossed_up_per_share"`
	Source         string      `json:"source"`
}

type coverageJSON struct {
	Code         string `json:"code"`
	Events       int    `json:"events"`
	WithFranking int    `json:"with_franking"`
	FirstEx      string `json:"first_ex_date"`
	LastEx       string `json:"last_ex_date"`
}

// handleInstrumentDividends is GET /api/v1/instruments/:code/dividends:
// every event, latest first, and has_data false for a code without any
// dividend data (missing data, not "pays none").
func (h *apiDividendsHandler) handleInstrumentDividends(c echo.Context) error {
	ctx := c.Request().Context()
	in, err := h.market.Instrument(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	events, err := portfolio.InstrumentDividends(ctx, h.q, in.Code, 1000)
	if err != nil {
		return err
	}
	out := make([]dividendJSON, 0, len(events))
	for _, e := range events {
		d := dividendJSON{ExDate: apiDate(e.ExDate), PayDate: apiDate(e.PayDate), Kind: e.Kind, Amount: apiDecimal(e.Amount), Source: e.Source}
		if e.FrankingPct.Valid {
			pct, credit, gross := apiDecimal(e.FrankingPct.Decimal), apiDecimal(e.FrankingCredit()), apiDecimal(e.GrossedUp())
			d.FrankingPct, d.FrankingCredit, d.GrossedUp = &pct, &credit, &gross
		}
		out = append(out, d)
	}
	return c.JSON(http.StatusOK, map[string]any{"code": in.Code, "has_data": len(out) > 0, "dividends": out})
}

// handleCoverage is GET /api/v1/dividends/coverage: the codes with dividend
// data; every other code has none.
func (h *apiDividendsHandler) handleCoverage(c echo.Context) error {
	cov, err := portfolio.DividendCoverage(c.Request().Context(), h.q)
	if err != nil {
		return err
	}
	out := make([]coverageJSON, 0, len(cov.Codes))
	for _, cc := range cov.Codes {
		out = append(out, coverageJSON{Code: cc.Code, Events: cc.Events, WithFranking: cc.WithFranking,
			FirstEx: apiDate(cc.FirstEx), LastEx: apiDate(cc.LastEx)})
	}
	return c.JSON(http.StatusOK, map[string]any{"codes": out})
}

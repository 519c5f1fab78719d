package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// apiQuantHandler serves signals, models and factors to programs.
type apiQuantHandler struct {
	pool  *pgxpool.Pool
	quant *pipeline.Pipeline
}

type signalRequest struct {
	Symbol string `json:"symbol"`
	Model  string `json:"model"`
}

// handleSignal returns the latest signal of a symbol from a model's active
// version. Also at /api/trading/signals (the deployment plan's load test).
func (h *apiQuantHandler) handleSignal(c echo.Context) error {
	var in signalRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Symbol) == "" {
		return apperr.FieldError("symbol", "symbol is required, e.g. {\"symbol\": \"BHP\", \"model\": \"xgboost\"}")
	}
	if strings.TrimSpace(in.Model) == "" {
		return apperr.FieldError("model", "model is required")
	}
	s, err := h.quant.LatestSignal(c.Request().Context(), in.Symbol, in.Model)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// handleRanking returns a model's ranking: ?model=&date=YYYY-MM-DD&top=&sector=.
func (h *apiQuantHandler) handleRanking(c echo.Context) error {
	model := c.QueryParam("model")
	if model == "" {
		return apperr.FieldError("model", "model is required")
	}
	top, err := intParam(c, "top", 0, 0, 1000)
	if err != nil {
		return err
	}
	q := pipeline.RankingQuery{Model: model, Top: top, Sector: c.QueryParam("sector")}
	if d := c.QueryParam("date"); d != "" {
		if q.Date, err = time.Parse(time.DateOnly, d); err != nil {
			return apperr.FieldError("date", "date must be YYYY-MM-DD")
		}
	}
	r, err := h.quant.Ranking(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h *apiQuantHandler) handleModels(c echo.Context) error {
	models, err := h.quant.ListModels(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"models": models})
}

// handleFactors computes an expression (or the alpha158 set) from daily bars,
// the same values qlibpro factors prints, for checking against Qlib.
func (h *apiQuantHandler) handleFactors(c echo.Context) error {
	q := pipeline.FactorsQuery{Expr: c.QueryParam("expr"), Set: c.QueryParam("set"), Symbols: splitCodes(c.QueryParam("symbols"))}
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		raw := c.QueryParam(p.name)
		if raw == "" {
			return apperr.FieldError(p.name, "%s is required (YYYY-MM-DD)", p.name)
		}
		if *p.dst, err = time.Parse(time.DateOnly, raw); err != nil {
			return apperr.FieldError(p.name, "%s must be YYYY-MM-DD", p.name)
		}
	}
	res, err := pipeline.Factors(c.Request().Context(), h.pool, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

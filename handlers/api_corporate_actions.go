package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/market"
)

// apiCorporateActionsHandler lists an instrument's corporate actions, whose
// factors adjust its daily history.
type apiCorporateActionsHandler struct {
	market  *market.Service
	actions *corpaction.Service
}

// corporateActionJSON is one action in the API.
type corporateActionJSON struct {
	ExDate           *string  `json:"ex_date"`
	Kind             string   `json:"kind"`
	Ratio            string   `json:"ratio"`
	AdjustmentFactor *float64 `json:"adjustment_factor"`
	Source           string   `json:"source"`
	Note             string   `json:"note"`
}

// handleList returns the instrument's actions, newest first.
func (h *apiCorporateActionsHandler) handleList(c echo.Context) error {
	in, err := h.market.Instrument(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	actions, err := h.actions.List(c.Request().Context(), in.Code)
	if err != nil {
		return err
	}
	out := make([]corporateActionJSON, len(actions))
	for i, a := range actions {
		out[i] = corporateActionJSON{Kind: string(a.Kind), Ratio: a.Ratio, AdjustmentFactor: a.Factor, Source: a.Source, Note: a.Note}
		if a.ExDate != nil {
			d := a.ExDate.Format(time.DateOnly)
			out[i].ExDate = &d
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"code": in.Code, "corporate_actions": out,
		"adjustment": "adjusted price = raw × product of the factors of later actions; adjusted volume = raw ÷ it"})
}

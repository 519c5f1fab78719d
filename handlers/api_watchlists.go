package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

type watchlistRequest struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"` // move: -1 up, +1 down
	Code     string  `json:"code"`
}

func (h *APIMarketHandler) handleListWatchlists(c echo.Context) error {
	lists, err := h.lists.List(c.Request().Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"watchlists": lists})
}

func (h *APIMarketHandler) handleCreateWatchlist(c echo.Context) error {
	var in watchlistRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return apperr.FieldError("name", "name is required")
	}
	w, err := h.lists.Create(c.Request().Context(), principal(c).UserID, *in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

func (h *APIMarketHandler) handleGetWatchlist(c echo.Context) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	w, err := h.lists.Get(c.Request().Context(), principal(c).UserID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// handleUpdateWatchlist renames (name) and/or moves (position: -1 or +1) a watchlist.
func (h *APIMarketHandler) handleUpdateWatchlist(c echo.Context) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var in watchlistRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, uid := c.Request().Context(), principal(c).UserID
	if in.Name == nil && in.Position == nil {
		return apperr.New(apperr.Invalid, "Send name and/or position.")
	}
	if in.Name != nil {
		if err := h.lists.Rename(ctx, uid, id, *in.Name); err != nil {
			return err
		}
	}
	if in.Position != nil {
		if *in.Position != -1 && *in.Position != 1 {
			return apperr.FieldError("position", "position must be -1 (up) or 1 (down)")
		}
		if err := h.lists.Move(ctx, uid, id, *in.Position); err != nil {
			return err
		}
	}
	w, err := h.lists.Get(ctx, uid, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *APIMarketHandler) handleDeleteWatchlist(c echo.Context) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	if err := h.lists.Delete(c.Request().Context(), principal(c).UserID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *APIMarketHandler) handleAddWatchlistItem(c echo.Context) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	var in watchlistRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, uid := c.Request().Context(), principal(c).UserID
	if err := h.lists.Add(ctx, uid, id, in.Code); err != nil {
		return err
	}
	w, err := h.lists.Get(ctx, uid, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *APIMarketHandler) handleRemoveWatchlistItem(c echo.Context) error {
	id, err := watchlistID(c)
	if err != nil {
		return err
	}
	if err := h.lists.Remove(c.Request().Context(), principal(c).UserID, id, c.Param("code")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

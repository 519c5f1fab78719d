package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
)

// apiWatchlistsHandler serves the token user's watchlists to programs.
type apiWatchlistsHandler struct {
	lists *market.Watchlists
}

type watchlistRequest struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"` // move: -1 up, +1 down
	Code     string  `json:"code"`
}

func (h *apiWatchlistsHandler) handleList(c echo.Context) error {
	lists, err := h.lists.List(c.Request().Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"watchlists": lists})
}

func (h *apiWatchlistsHandler) handleCreate(c echo.Context) error {
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

func (h *apiWatchlistsHandler) handleGet(c echo.Context) error {
	id, err := idParam(c, "Watchlist")
	if err != nil {
		return err
	}
	w, err := h.lists.Get(c.Request().Context(), principal(c).UserID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// handleUpdate renames (name) and/or moves (position: -1 or +1) a watchlist.
func (h *apiWatchlistsHandler) handleUpdate(c echo.Context) error {
	return h.change(c, func(ctx context.Context, uid, id int64, in watchlistRequest) error {
		if in.Name == nil && in.Position == nil {
			return apperr.New(apperr.Invalid, "Send name and/or position.")
		}
		if in.Name != nil {
			if err := h.lists.Rename(ctx, uid, id, *in.Name); err != nil {
				return err
			}
		}
		if in.Position == nil {
			return nil
		}
		if *in.Position != -1 && *in.Position != 1 {
			return apperr.FieldError("position", "position must be -1 (up) or 1 (down)")
		}
		return h.lists.Move(ctx, uid, id, *in.Position)
	})
}

func (h *apiWatchlistsHandler) handleAddItem(c echo.Context) error {
	return h.change(c, func(ctx context.Context, uid, id int64, in watchlistRequest) error {
		return h.lists.Add(ctx, uid, id, in.Code)
	})
}

func (h *apiWatchlistsHandler) handleDelete(c echo.Context) error {
	return h.remove(c, func(ctx context.Context, uid, id int64) error { return h.lists.Delete(ctx, uid, id) })
}

func (h *apiWatchlistsHandler) handleRemoveItem(c echo.Context) error {
	return h.remove(c, func(ctx context.Context, uid, id int64) error { return h.lists.Remove(ctx, uid, id, c.Param("code")) })
}

// change applies fn with the JSON body to the caller's watchlist in the
// path and answers with the watchlist as it is then.
func (h *apiWatchlistsHandler) change(c echo.Context, fn func(ctx context.Context, uid, id int64, in watchlistRequest) error) error {
	id, err := idParam(c, "Watchlist")
	if err != nil {
		return err
	}
	var in watchlistRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, uid := c.Request().Context(), principal(c).UserID
	if err := fn(ctx, uid, id, in); err != nil {
		return err
	}
	w, err := h.lists.Get(ctx, uid, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// remove applies fn to the caller's watchlist in the path: 204 when done.
func (h *apiWatchlistsHandler) remove(c echo.Context, fn func(ctx context.Context, uid, id int64) error) error {
	id, err := idParam(c, "Watchlist")
	if err != nil {
		return err
	}
	if err := fn(c.Request().Context(), principal(c).UserID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// WatchlistHandler serves the watchlists page; every action re-renders the
// #watchlists partial.
type WatchlistHandler struct {
	lists *market.Watchlists
	s     *sessions
	r     *renderer
}

func (h *WatchlistHandler) view(c echo.Context, f components.Form) (pages.WatchlistsView, error) {
	lists, err := h.lists.List(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return pages.WatchlistsView{}, err
	}
	csrf := h.s.csrfToken(c)
	f.CSRF = csrf
	v := pages.WatchlistsView{CSRF: csrf, Form: f}
	for i, l := range lists {
		v.Lists = append(v.Lists, pages.WatchlistView{ID: l.ID, Name: l.Name, Codes: l.Codes, First: i == 0, Last: i == len(lists)-1})
	}
	return v, nil
}

// respond renders the page or the partial after an action; a user-fixable
// error is shown in the create form.
func (h *WatchlistHandler) respond(c echo.Context, actionErr error) error {
	f := components.Form{}
	status := http.StatusOK
	if actionErr != nil {
		ae, ok := userFixable(actionErr)
		if !ok {
			return actionErr
		}
		if ae.Code == apperr.NotFound {
			return actionErr
		}
		f = withError(components.Form{Values: map[string]string{"name": c.FormValue("name")}}, ae)
		if ae.Field != "name" {
			f.Errors, f.Error = nil, ae.Message
		}
		status = formStatus(ae)
	} else if c.Request().Method == http.MethodPost && !isHTMX(c) {
		return redirect(c, "/watchlists")
	}
	v, err := h.view(c, f)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return component(c, status, pages.WatchlistsPanel(v))
	}
	return h.r.page(c, status, "Watchlists", "watchlists", pages.Watchlists(v))
}

func (h *WatchlistHandler) handleList(c echo.Context) error { return h.respond(c, nil) }

func (h *WatchlistHandler) handleCreate(c echo.Context) error {
	_, err := h.lists.Create(c.Request().Context(), currentUser(c).ID, c.FormValue("name"))
	return h.respond(c, err)
}

func watchlistID(c echo.Context) (int64, error) { return idParam(c, "Watchlist") }

// action runs fn on the watchlist named in the path.
func (h *WatchlistHandler) action(fn func(c echo.Context, userID, id int64) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := watchlistID(c)
		if err != nil {
			return err
		}
		return h.respond(c, fn(c, currentUser(c).ID, id))
	}
}

func (h *WatchlistHandler) handleRename() echo.HandlerFunc {
	return h.action(func(c echo.Context, uid, id int64) error {
		return h.lists.Rename(c.Request().Context(), uid, id, c.FormValue("name"))
	})
}

func (h *WatchlistHandler) handleMove(delta int) echo.HandlerFunc {
	return h.action(func(c echo.Context, uid, id int64) error { return h.lists.Move(c.Request().Context(), uid, id, delta) })
}

func (h *WatchlistHandler) handleDelete() echo.HandlerFunc {
	return h.action(func(c echo.Context, uid, id int64) error { return h.lists.Delete(c.Request().Context(), uid, id) })
}

func (h *WatchlistHandler) handleAddItem() echo.HandlerFunc {
	return h.action(func(c echo.Context, uid, id int64) error {
		return h.lists.Add(c.Request().Context(), uid, id, c.FormValue("code"))
	})
}

func (h *WatchlistHandler) handleRemoveItem() echo.HandlerFunc {
	return h.action(func(c echo.Context, uid, id int64) error {
		return h.lists.Remove(c.Request().Context(), uid, id, c.Param("code"))
	})
}

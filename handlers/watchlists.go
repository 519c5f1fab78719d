package handlers

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// watchlistsHandler serves the watchlists page; every action re-renders the
// #watchlists partial.
type watchlistsHandler struct {
	lists *market.Watchlists
	s     *sessions
	r     *renderer
}

func (h *watchlistsHandler) handleList(c echo.Context) error {
	page, partial := h.views(c)(components.Form{})
	return h.r.respond(c, http.StatusOK, "Watchlists", "watchlists", page, partial)
}

func (h *watchlistsHandler) handleCreate(c echo.Context) error {
	_, err := h.lists.Create(c.Request().Context(), currentUser(c).ID, c.FormValue("name"))
	return h.done(c, err)
}

func (h *watchlistsHandler) handleRename(c echo.Context) error {
	return h.act(c, func(uid, id int64) error {
		return h.lists.Rename(c.Request().Context(), uid, id, c.FormValue("name"))
	})
}

func (h *watchlistsHandler) handleUp(c echo.Context) error {
	return h.act(c, func(uid, id int64) error { return h.lists.Move(c.Request().Context(), uid, id, -1) })
}

func (h *watchlistsHandler) handleDown(c echo.Context) error {
	return h.act(c, func(uid, id int64) error { return h.lists.Move(c.Request().Context(), uid, id, +1) })
}

func (h *watchlistsHandler) handleDelete(c echo.Context) error {
	return h.act(c, func(uid, id int64) error { return h.lists.Delete(c.Request().Context(), uid, id) })
}

func (h *watchlistsHandler) handleAddItem(c echo.Context) error {
	return h.act(c, func(uid, id int64) error {
		return h.lists.Add(c.Request().Context(), uid, id, c.FormValue("code"))
	})
}

func (h *watchlistsHandler) handleRemoveItem(c echo.Context) error {
	return h.act(c, func(uid, id int64) error {
		return h.lists.Remove(c.Request().Context(), uid, id, c.Param("code"))
	})
}

// act runs fn on the signed-in user's watchlist named in the path.
func (h *watchlistsHandler) act(c echo.Context, fn func(userID, id int64) error) error {
	id, err := idParam(c, "Watchlist")
	if err != nil {
		return err
	}
	return h.done(c, fn(currentUser(c).ID, id))
}

// done answers an action: the panel again (htmx) or back to the page; a
// problem the user can fix is shown in the create form, naming the field
// only when it is the name.
func (h *watchlistsHandler) done(c echo.Context, err error) error {
	if err == nil {
		_, partial := h.views(c)(components.Form{})
		return h.r.afterAction(c, "/watchlists", partial)
	}
	ae, ok := apperr.As(err)
	if !ok || ae.Code == apperr.NotFound {
		return err
	}
	if ae.Field != "name" {
		formLevel := *ae
		formLevel.Field, formLevel.Fields = "", nil
		err = &formLevel
	}
	f := components.Form{Values: map[string]string{"name": c.FormValue("name")}}
	return h.r.formFailed(c, err, f, "Watchlists", "watchlists", h.views(c))
}

// views are the page and the panel around the create form f.
func (h *watchlistsHandler) views(c echo.Context) formViews {
	return func(f components.Form) (build, build) {
		page := func() (templ.Component, error) {
			v, err := h.view(c, f)
			return pages.Watchlists(v), err
		}
		partial := func() (templ.Component, error) {
			v, err := h.view(c, f)
			return pages.WatchlistsPanel(v), err
		}
		return page, partial
	}
}

func (h *watchlistsHandler) view(c echo.Context, f components.Form) (pages.WatchlistsView, error) {
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

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// adminHandler serves the back office's front page (admins only; see routes.go).
type adminHandler struct {
	q *db.Queries
	r *renderer
}

func (h *adminHandler) handleAdmin(c echo.Context) error {
	ctx := c.Request().Context()
	var v pages.AdminView
	var err error
	if v.Users, err = h.q.CountUsers(ctx); err != nil {
		return err
	}
	if v.Instruments, err = h.q.CountInstruments(ctx); err != nil {
		return err
	}
	if v.Bars, err = h.q.CountDailyBars(ctx); err != nil {
		return err
	}
	events, err := h.q.ListAuditEvents(ctx, db.ListAuditEventsParams{Limit: 50})
	if err != nil {
		return err
	}
	for _, e := range events {
		v.Events = append(v.Events, pages.AuditRow{At: display.DateTime(e.At), Event: e.Event, User: e.UserPseudonym, IP: e.Ip, RequestID: e.RequestID})
	}
	return h.r.page(c, http.StatusOK, "Administration", "admin", pages.Admin(v))
}

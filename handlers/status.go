package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/status"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/layouts"
	"github.com/qlibpro/qlibpro/views/pages"
)

// statusHandler serves the public status page: the readiness checks of
// /api/ready, the live feed as this machine sees it, and the notices admins
// post.
type statusHandler struct {
	health  *healthHandler
	hub     *hub.Hub
	notices *status.Notices
	region  string
	r       *renderer
}

// feedStale is how long without a tick batch the feed counts as not working.
const feedStale = 30 * time.Second

func (h *statusHandler) handleStatus(c echo.Context) error {
	ctx := c.Request().Context()
	ready := h.health.check(ctx)
	now := time.Now()
	v := pages.StatusView{CheckedAt: display.DateTime(now), Version: buildinfo.Version, Region: h.region}
	// The page is public: it says what fails, not the error text.
	for _, comp := range []struct{ check, name string }{
		{"postgres", "Database (PostgreSQL)"}, {"redis", "Sessions and live quotes (Redis)"}, {"migrations", "Database schema"},
	} {
		state := pages.ComponentState{Name: comp.name, OK: ready.Checks[comp.check] == "ok"}
		if !state.OK {
			state.Detail = "failing"
		}
		v.Components = append(v.Components, state)
	}
	v.Components = append(v.Components, feedState(h.hub.Stats(), now))
	notices, err := h.notices.Active(ctx)
	if err != nil {
		return err
	}
	for _, n := range notices {
		row := noticeRow(n, now)
		if row.State == "current" {
			v.Current = append(v.Current, row)
		} else {
			v.Upcoming = append(v.Upcoming, row)
		}
	}
	v.OK = true
	for _, comp := range v.Components {
		v.OK = v.OK && comp.OK
	}
	v.Overall = "All systems working"
	switch {
	case !v.OK:
		v.Overall = "Some systems are not working"
	case len(v.Current) > 0:
		v.Overall = "Working, with a notice"
	}
	// 200 whatever it says: the page itself works (monitors use /api/ready).
	return h.r.page(c, http.StatusOK, "Status", "", pages.Status(v))
}

// feedState is the live feed as this machine's quote hub sees it.
func feedState(st hub.Stats, now time.Time) pages.ComponentState {
	s := pages.ComponentState{Name: "Live market feed"}
	switch {
	case st.LastBatch.IsZero():
		s.Detail = "no quotes received since this server started"
	case now.Sub(st.LastBatch) > feedStale:
		s.Detail = "no quotes for " + now.Sub(st.LastBatch).Round(time.Second).String()
	default:
		s.OK = true
		s.Detail = "last quotes " + now.Sub(st.LastBatch).Round(time.Second).String() + " ago, feed leader term " + strconv.FormatInt(st.Epoch, 10)
	}
	return s
}

// bannerNotices returns the layout's banner: the notices current now. A
// failure to load them leaves the banner out; it never fails the page.
func bannerNotices(n *status.Notices) func(context.Context) []layouts.Notice {
	return func(ctx context.Context) []layouts.Notice {
		all, err := n.Active(ctx)
		if err != nil {
			return nil
		}
		now := time.Now()
		var out []layouts.Notice
		for _, x := range all {
			if !x.Current(now) {
				continue
			}
			b := layouts.Notice{Kind: x.Kind, Title: x.Title, Body: x.Body}
			if x.EndsAt != nil {
				b.Until = "until " + display.DateTime(*x.EndsAt)
			}
			out = append(out, b)
		}
		return out
	}
}

// noticeRow maps a notice for the status and admin pages.
func noticeRow(n status.Notice, now time.Time) pages.NoticeRow {
	row := pages.NoticeRow{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Window: "from " + display.DateTime(n.StartsAt)}
	if n.EndsAt != nil {
		row.Window += " until " + display.DateTime(*n.EndsAt)
	}
	switch {
	case n.Current(now):
		row.State = "current"
	case n.StartsAt.After(now):
		row.State = "upcoming"
	default:
		row.State = "ended"
	}
	return row
}

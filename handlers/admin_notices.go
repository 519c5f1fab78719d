package handlers

import (
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/status"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// adminNoticesHandler lets admins post incident and maintenance notices and
// end them (admins only; see routes.go).
type adminNoticesHandler struct {
	notices *status.Notices
	s       *sessions
	r       *renderer
}

const noticesTitle = "Notices"

func (h *adminNoticesHandler) handleList(c echo.Context) error {
	page, err := h.page(c, components.Form{Values: map[string]string{}})()
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, noticesTitle, "admin", page)
}

func (h *adminNoticesHandler) handlePost(c echo.Context) error {
	f := components.Form{Values: map[string]string{}}
	for _, k := range []string{"kind", "title", "body", "starts_at", "ends_at"} {
		f.Values[k] = c.FormValue(k)
	}
	in := status.NewNotice{Kind: f.Values["kind"], Title: f.Values["title"], Body: f.Values["body"]}
	var err error
	if in.StartsAt, err = localTime(f.Values["starts_at"], "starts_at"); err == nil {
		var end time.Time
		if end, err = localTime(f.Values["ends_at"], "ends_at"); err == nil && !end.IsZero() {
			in.EndsAt = &end
		}
	}
	if err == nil {
		_, err = h.notices.Post(c.Request().Context(), currentUser(c).ID, in, meta(c))
	}
	if err != nil {
		return h.r.formFailed(c, err, f, noticesTitle, "admin", func(f components.Form) (build, build) {
			return h.page(c, f), ready(pages.NoticeForm(f))
		})
	}
	return redirect(c, "/admin/notices")
}

func (h *adminNoticesHandler) handleEnd(c echo.Context) error {
	id, err := idParam(c, "Notice")
	if err != nil {
		return err
	}
	if err := h.notices.End(c.Request().Context(), currentUser(c).ID, id, meta(c)); err != nil {
		return err
	}
	return redirect(c, "/admin/notices")
}

// page builds the notices page around the form f.
func (h *adminNoticesHandler) page(c echo.Context, f components.Form) build {
	return func() (templ.Component, error) {
		recent, err := h.notices.Recent(c.Request().Context())
		if err != nil {
			return nil, err
		}
		f.CSRF = h.s.csrfToken(c)
		v := pages.AdminNoticesView{Form: f, CSRF: f.CSRF}
		now := time.Now()
		for _, n := range recent {
			v.Notices = append(v.Notices, noticeRow(n, now))
		}
		return pages.AdminNotices(v), nil
	}
}

// localTime reads a datetime-local field (Sydney wall-clock time); "" is
// the zero time.
func localTime(raw, field string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", raw, asx.Sydney())
	if err != nil {
		return time.Time{}, apperr.FieldError(field, "Enter a date and time such as 2026-12-03T18:30.")
	}
	return t, nil
}

package handlers

import (
	"math"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/layouts"
	"github.com/qlibpro/qlibpro/views/pages"
)

// This file holds every htmx response convention: whether a request wants a
// partial, the page-or-partial answer (Vary: HX-Request), failed forms,
// redirects, toasts and htmx's response headers. Handlers call these and
// never look at HX-* headers themselves.

// isHTMX reports whether the request comes from htmx (and is not a history
// restore, which needs the whole page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// build makes a view only when the response needs it: a whole page usually
// needs more queries than the partial htmx swaps, and the other is never used.
type build func() (templ.Component, error)

// ready is the build of a component that is already made.
func ready(t templ.Component) build {
	return func() (templ.Component, error) { return t, nil }
}

// respond serves one URL two ways: the partial htmx swaps, or the whole page
// inside the layout. Vary: HX-Request keeps the two apart in caches.
func (r *renderer) respond(c echo.Context, status int, title, active string, page, partial build) error {
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		t, err := partial()
		if err != nil {
			return err
		}
		return component(c, status, t)
	}
	t, err := page()
	if err != nil {
		return err
	}
	return r.page(c, status, title, active, t)
}

// formViews are the page and the partial around a form, made from the form.
type formViews func(components.Form) (page, partial build)

// viewsOf adapts a page and a partial that each take the form.
func viewsOf(page, partial func(components.Form) templ.Component) formViews {
	return func(f components.Form) (build, build) { return ready(page(f)), ready(partial(f)) }
}

// formFailed answers a form whose submission failed: the form again with
// err's messages (422 for field problems, else the error's own status such as
// 409, or 429 with Retry-After), as the partial for htmx and the whole page
// otherwise; err itself when the user cannot fix it.
func (r *renderer) formFailed(c echo.Context, err error, f components.Form, title, active string, views formViews) error {
	f, ae, err := formWithError(f, err)
	if err != nil {
		return err
	}
	setRetryAfter(c, ae)
	page, partial := views(f)
	return r.respond(c, formStatus(ae), title, active, page, partial)
}

// afterAction answers a form post that succeeded: htmx swaps partial in
// place; a browser without htmx is sent on to path (post, redirect, get).
func (r *renderer) afterAction(c echo.Context, path string, partial build) error {
	if !isHTMX(c) {
		return redirect(c, path)
	}
	t, err := partial()
	if err != nil {
		return err
	}
	return component(c, http.StatusOK, t)
}

// redirect sends the browser to a local path: HX-Redirect for htmx, 303 otherwise.
func redirect(c echo.Context, path string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", path)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// reloadAfterSwap makes htmx reload the whole page after this response (the
// page's CSRF token changed with a new session token).
func reloadAfterSwap(c echo.Context) {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Refresh", "true")
	}
}

// pushURL makes htmx record path in the browser's history for this swap.
func pushURL(c echo.Context, path string) {
	c.Response().Header().Set("HX-Push-Url", path)
}

// failure answers a failed page request: htmx gets a toast appended to the
// layout's toast area instead of its own target; a browser gets the error
// page.
func (r *renderer) failure(c echo.Context, status int, msg, requestID string) error {
	if isHTMX(c) {
		h := c.Response().Header()
		h.Set("HX-Retarget", "#"+layouts.ToastsID)
		h.Set("HX-Reswap", "beforeend")
		return component(c, status, components.Toast(msg, requestID, false))
	}
	title := http.StatusText(status)
	return r.page(c, status, title, "", pages.Error(pages.ErrorView{Status: status, Title: title, Message: msg, RequestID: requestID}))
}

// formWithError copies err's messages into f, when the user can fix it:
// per field when it names fields, else as the form-level error. Any other
// error comes back as it is.
func formWithError(f components.Form, err error) (components.Form, *apperr.Error, error) {
	ae, ok := userFixable(err)
	if !ok {
		return f, nil, err
	}
	switch {
	case len(ae.Fields) > 0:
		f.Errors = ae.Fields
	case ae.Field != "":
		f.Errors = map[string]string{ae.Field: ae.Message}
	default:
		f.Error = ae.Message
	}
	return f, ae, nil
}

// userFixable reports whether err is a problem the user can correct in a form.
func userFixable(err error) (*apperr.Error, bool) {
	ae, ok := apperr.As(err)
	if !ok {
		return nil, false
	}
	switch ae.Code {
	case apperr.Internal, apperr.Unavailable:
		return nil, false
	}
	return ae, true
}

// formStatus is the status of a form answered with its errors: 422 for field
// problems, otherwise the error's own status (401, 403, 409, 429 …).
func formStatus(ae *apperr.Error) int {
	if ae.Code == apperr.Invalid {
		return http.StatusUnprocessableEntity
	}
	return statusByCode[ae.Code]
}

// setRetryAfter sends Retry-After for throttled answers.
func setRetryAfter(c echo.Context, ae *apperr.Error) {
	if ae != nil && ae.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
	}
}

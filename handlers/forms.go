package handlers

import (
	"math"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/views/components"
)

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

// withError copies err's messages into f: per field when it names fields,
// else as the form-level error.
func withError(f components.Form, ae *apperr.Error) components.Form {
	switch {
	case len(ae.Fields) > 0:
		f.Errors = ae.Fields
	case ae.Field != "":
		f.Errors = map[string]string{ae.Field: ae.Message}
	default:
		f.Error = ae.Message
	}
	return f
}

// setRetryAfter sends Retry-After for throttled answers.
func setRetryAfter(c echo.Context, ae *apperr.Error) {
	if ae != nil && ae.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
	}
}

// formFailed answers a form submission that failed: the form again with the
// messages (the partial for htmx, the whole page otherwise), or err itself
// when the user cannot fix it.
func (r *renderer) formFailed(c echo.Context, err error, f components.Form, title string,
	page, partial func(components.Form) templ.Component) error {
	ae, ok := userFixable(err)
	if !ok {
		return err
	}
	f = withError(f, ae)
	setRetryAfter(c, ae)
	if isHTMX(c) {
		return component(c, formStatus(ae), partial(f))
	}
	return r.page(c, formStatus(ae), title, "", page(f))
}

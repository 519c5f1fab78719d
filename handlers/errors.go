package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/errorreport"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	Code      string            `json:"code"`
	Field     string            `json:"field,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

var statusByCode = map[apperr.Code]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unprocessable:   http.StatusUnprocessableEntity,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Unauthorized:    http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.TooManyRequests: http.StatusTooManyRequests,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Internal:        http.StatusInternalServerError,
}

// classify turns any error into a status, a code, a user-facing message and
// the *apperr.Error when there is one.
func classify(err error) (int, apperr.Code, string, *apperr.Error) {
	if de, ok := dataError(err); ok {
		return http.StatusBadRequest, de.Code, de.Message, de
	}
	if ae, ok := apperr.As(err); ok {
		st := statusByCode[ae.Code]
		if st == 0 {
			st = http.StatusInternalServerError
		}
		return st, ae.Code, apperr.MessageOf(err), ae
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if s, ok := he.Message.(string); ok && he.Code < 500 {
			msg = s
		}
		code := apperr.Internal
		for c, st := range statusByCode {
			if st == he.Code {
				code = c
			}
		}
		switch he.Code {
		case http.StatusNotFound:
			msg = "Page not found."
		case http.StatusMethodNotAllowed:
			code, msg = "method_not_allowed", "Method not allowed for this URL."
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			code, msg = "too_large", errBodyTooLarge.Message.(string)
		}
		return he.Code, code, msg, nil
	}
	return http.StatusInternalServerError, apperr.Internal, "Internal error", nil
}

// errorHandler is the one place errors become responses: problem+json under
// /api, a toast for htmx, an HTML page otherwise. Only 5xx are logged with
// their cause; users see "Internal error" and the request id.
func errorHandler(log *slog.Logger, r *renderer, report *errorreport.Reporter) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, code, msg, ae := classify(err)
		rid := requestID(c)
		if _, isData := dataError(err); status >= 500 || isData {
			log.ErrorContext(c.Request().Context(), "request failed",
				slog.String("request_id", rid), slog.String("error", err.Error()))
		}
		if status >= 500 && status != http.StatusServiceUnavailable {
			report.Report(err, c.Request(), c.Path(), rid)
		}
		if he := (*echo.HTTPError)(nil); errors.As(err, &he) && status == http.StatusMethodNotAllowed {
			if allow := c.Response().Header().Get(echo.HeaderAllow); allow == "" {
				c.Response().Header().Set(echo.HeaderAllow, c.Get(echo.ContextKeyHeaderAllow).(string))
			}
		}
		setRetryAfter(c, ae)
		if status == http.StatusUnauthorized && strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="qlibpro"`)
		}
		var werr error
		switch {
		case c.Request().Method == http.MethodHead:
			werr = c.NoContent(status)
		case strings.HasPrefix(c.Request().URL.Path, "/api/") || wantsJSON(c):
			p := Problem{
				Type:      "about:blank",
				Title:     http.StatusText(status),
				Status:    status,
				Detail:    msg,
				Instance:  c.Request().URL.Path,
				Code:      string(code),
				RequestID: rid,
			}
			if ae != nil {
				p.Field, p.Errors = ae.Field, ae.Fields
			}
			b, _ := json.Marshal(p)
			werr = c.Blob(status, "application/problem+json", b)
		default:
			werr = r.failure(c, status, msg, rid)
		}
		if werr != nil {
			log.ErrorContext(c.Request().Context(), "writing error response", slog.String("error", werr.Error()))
		}
	}
}

func wantsJSON(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// errNotFound is the 404 for unknown paths and ids.
func errNotFound(what string) error { return apperr.New(apperr.NotFound, "%s not found.", what) }

// dataError turns PostgreSQL's data exceptions that only bad input can cause
// (a value too long or too large for its column, text the encoding cannot
// hold) into a 400 instead of a 500; input validation should have caught
// them first, so they are still logged.
func dataError(err error) (*apperr.Error, bool) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return nil, false
	}
	switch pg.Code {
	case "22001", "22003", "22021", "22P05":
		return &apperr.Error{Code: apperr.Invalid, Message: "A value in the request is too long, too large, or has characters that cannot be stored.", Err: err}, true
	}
	return nil, false
}

package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

var errBadText = apperr.New(apperr.Invalid, "The request contains characters that are not allowed (a NUL byte or invalid UTF-8).")

// badText reports text that PostgreSQL cannot store or that no person types.
func badText(s string) bool { return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 }

// rejectBadText answers 400 to requests whose path, query or urlencoded form
// holds NUL bytes or invalid UTF-8, once for every route, so that no handler
// hands such text to the database. JSON bodies are checked in bindJSON.
func rejectBadText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if badText(r.URL.Path) {
			return errBadText
		}
		for _, vs := range r.URL.Query() {
			for _, v := range vs {
				if badText(v) {
					return errBadText
				}
			}
		}
		if r.Method != http.MethodGet && strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationForm) {
			if err := r.ParseForm(); err != nil {
				return apperr.New(apperr.Invalid, "The form could not be read.")
			}
			for _, vs := range r.PostForm {
				for _, v := range vs {
					if badText(v) {
						return errBadText
					}
				}
			}
		}
		return next(c)
	}
}

// checkJSONText refuses a JSON body that holds NUL (escaped or raw) or
// invalid UTF-8, which encoding/json would otherwise pass through or mangle.
func checkJSONText(c echo.Context) error {
	r := c.Request()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return apperr.New(apperr.Invalid, "The request body could not be read.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || bytes.Contains(bytes.ToLower(body), []byte(`\u0000`)) {
		return errBadText
	}
	return nil
}

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

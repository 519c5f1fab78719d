package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// Reading requests: text checks every route gets, JSON bodies, and the path
// and query parameters handlers share.

var errBadText = apperr.New(apperr.Invalid, "The request contains characters that are not allowed (a NUL byte or invalid UTF-8).")

// errBodyTooLarge is the 413 for a body over the limit. Echo's BodyLimit
// answers it at once when Content-Length says so; a chunked body has no
// length, so the limit shows only while the body is read, as a read error
// (Echo's 413, or net/http's MaxBytesError) that bodyError turns into this.
var errBodyTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The request body is too large for this server: send a smaller one.")

// bodyError is the answer to a failed body read: 413 when the body went
// over the limit, else orElse.
func bodyError(err, orElse error) error {
	var mb *http.MaxBytesError
	var he *echo.HTTPError
	if errors.As(err, &mb) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
		return errBodyTooLarge
	}
	return orElse
}

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
				return bodyError(err, apperr.New(apperr.Invalid, "The form could not be read."))
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

// bindJSON decodes a JSON body, turning every decoding problem into a 400.
func bindJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return apperr.New(apperr.Invalid, "Send Content-Type: application/json.")
	}
	if err := checkJSONText(c); err != nil {
		return err
	}
	if err := c.Bind(dst); err != nil {
		return apperr.New(apperr.Invalid, "The request body is not valid JSON for this endpoint.")
	}
	return nil
}

// checkJSONText refuses a JSON body that holds NUL (escaped or raw) or
// invalid UTF-8, which encoding/json would otherwise pass through or mangle.
func checkJSONText(c echo.Context) error {
	r := c.Request()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err, apperr.New(apperr.Invalid, "The request body could not be read."))
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 || bytes.Contains(bytes.ToLower(body), []byte(`\u0000`)) {
		return errBadText
	}
	return nil
}

// idParam reads a numeric path id; anything else is the same 404 as an id
// that is not the caller's.
func idParam(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound(what)
	}
	return id, nil
}

// accountParam reads the paper account id from the query or form
// ("account"); 0 means the default account. A malformed id is a 404.
func accountParam(c echo.Context) (int64, error) {
	raw := strings.TrimSpace(c.QueryParam("account"))
	if raw == "" {
		raw = strings.TrimSpace(c.FormValue("account"))
	}
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound("Paper account")
	}
	return id, nil
}

// intParam reads a whole-number query parameter in [lo, hi] (def when absent).
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		return 0, apperr.FieldError(name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return v, nil
}

// beforeParam reads the ?before= cursor of a newest-first list (0: from the newest).
func beforeParam(c echo.Context) (int64, error) {
	raw := c.QueryParam("before")
	if raw == "" {
		return 0, nil
	}
	before, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || before < 0 {
		return 0, apperr.FieldError("before", "before must be a transaction number.")
	}
	return before, nil
}

const maxStreamCodes = 500

// parseCodes reads a comma-separated list of ASX codes ("" = every code):
// upper-cased, de-duplicated, each checked, at most maxStreamCodes.
func parseCodes(raw, param string) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.Split(raw, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || seen[c] {
			continue
		}
		if !hub.ValidCode(c) {
			return nil, apperr.FieldError(param, "%.20q is not an ASX code", c) // a long one is not quoted in full
		}
		seen[c] = true
		out = append(out, c)
	}
	if len(out) > maxStreamCodes {
		return nil, apperr.FieldError(param, "at most %d codes", maxStreamCodes)
	}
	return out, nil
}

// splitCodes is a comma-separated code list, upper-cased, unchecked (the
// factor query reports unknown codes itself).
func splitCodes(raw string) []string {
	var out []string
	for _, c := range strings.Split(raw, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// maxImportCSV caps an admin's CSV import, pasted or uploaded.
const maxImportCSV = 1 << 20

// importCSV reads an admin's CSV import: the chosen file ("file") when there
// is one, else the pasted text ("csv"). It returns the text to show back in
// the form ("" when it is too large) and a "csv" field error when the text is
// larger than maxImportCSV or empty.
func importCSV(c echo.Context) (string, error) {
	text := c.FormValue("csv")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(io.LimitReader(f, maxImportCSV+1))
		f.Close()
		if err != nil {
			return "", err
		}
		text = string(b)
	}
	switch {
	case len(text) > maxImportCSV:
		return "", apperr.FieldError("csv", "The file is larger than 1 MB.")
	case strings.TrimSpace(text) == "":
		return text, apperr.FieldError("csv", "Paste the CSV or choose a file.")
	}
	return text, nil
}

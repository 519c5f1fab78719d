package handlers

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"io"
	"mime/multipart"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// maxFormField bounds each text field of a streamed form.
const maxFormField = 64 << 10

// streamedForm is a multipart form read as a stream, with no temporary
// files: its text fields and its file fields in memory, each within its
// limit.
type streamedForm struct {
	values map[string]string
	files  map[string][]byte
}

// readStreamedForm reads a large multipart form (a model upload) without
// letting anyone who may not post it make the server read or store it. The
// route runs the session, cross-origin and role checks before this, not the
// usual CSRF middleware (which would parse the whole body into temporary
// files first):
// here the CSRF token comes from the X-CSRF-Token header (htmx) or, for a
// plain form, from its first field "_csrf" (components.CSRFInput comes
// first in every form), and nothing after it is read without it. files
// names the file fields and their size limits; a file over its limit is a
// field error, with the fields read before it kept for the form.
func (s *sessions) readStreamedForm(c echo.Context, files map[string]int64) (*streamedForm, error) {
	r := c.Request()
	want := s.sm.GetString(r.Context(), sessCSRF)
	tokenOK := func(got string) bool {
		return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
	}
	checked := tokenOK(r.Header.Get("X-CSRF-Token"))
	mr, err := r.MultipartReader()
	if err != nil {
		if !checked {
			return nil, errCSRF
		}
		return nil, apperr.New(apperr.Invalid, "Send the form as multipart/form-data.")
	}
	form := &streamedForm{values: map[string]string{}, files: map[string][]byte{}}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return form, bodyError(err, apperr.New(apperr.Invalid, "The form could not be read."))
		}
		name := part.FormName()
		if !checked {
			// The first field must be the token.
			if name != "_csrf" {
				return nil, errCSRF
			}
			tok, err := readPart(part, maxFormField)
			if err != nil || !tokenOK(string(tok)) {
				return nil, errCSRF
			}
			checked = true
			continue
		}
		if limit, ok := files[name]; ok && part.FileName() != "" {
			b, err := readPart(part, limit)
			if errors.Is(err, errPartTooLarge) {
				return form, apperr.FieldError(name, "The file is larger than %d MB.", limit>>20)
			}
			if err != nil {
				return form, bodyError(err, apperr.New(apperr.Invalid, "The file could not be read."))
			}
			form.files[name] = b
			continue
		}
		b, err := readPart(part, maxFormField)
		if err != nil {
			return form, bodyError(err, apperr.New(apperr.Invalid, "A form field is too long."))
		}
		if badText(string(b)) {
			return form, errBadText
		}
		form.values[name] = string(b)
	}
	if !checked {
		return nil, errCSRF
	}
	return form, nil
}

var errPartTooLarge = errors.New("form part over its limit")

// readPart reads one part, at most limit bytes.
func readPart(p *multipart.Part, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(p, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errPartTooLarge
	}
	return buf.Bytes(), nil
}

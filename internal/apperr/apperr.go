// Package apperr defines the error codes shared by every domain package and the
// HTTP layer. A domain returns an *Error with a code and a message that is safe to
// show to users; the web layer maps the code to a status and never shows the text
// of any other error.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the caller.
type Code string

// Error codes. Internal is the default for errors that are not *Error.
const (
	Invalid         Code = "invalid"           // bad input: 400 / 422
	NotFound        Code = "not_found"         // 404
	Conflict        Code = "conflict"          // 409
	Unauthorized    Code = "unauthorized"      // 401
	Forbidden       Code = "forbidden"         // 403
	TooManyRequests Code = "too_many_requests" // 429
	Unprocessable   Code = "unprocessable"     // 422: well-formed but not allowed by the rules
	Unavailable     Code = "unavailable"       // 503
	Internal        Code = "internal"          // 500
)

// Error is an application error with a user-facing message.
type Error struct {
	Code    Code
	Message string            // safe to show to users
	Field   string            // optional: the input field or parameter at fault
	Fields  map[string]string // optional: per-field messages for forms
	// RetryAfter, when set on TooManyRequests or Unavailable, becomes the
	// Retry-After header.
	RetryAfter time.Duration
	Err        error // optional: wrapped cause, never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error about one named input field or parameter.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with code and message that wraps err.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the user-facing message of err, or "Internal error" for
// errors that are not *Error.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "Internal error"
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

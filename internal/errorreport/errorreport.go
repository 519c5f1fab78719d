// Package errorreport sends the application's internal errors (5xx, panics
// included) to Sentry through the official SDK when SENTRY_DSN is set, with
// the release set to the build's version. Without a DSN a Reporter does
// nothing.
//
// Nothing that identifies a user leaves the process: no user, cookies,
// client address, query string or body; only a short allowlist of request
// headers; e-mail addresses in error text are masked.
package errorreport

import (
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/getsentry/sentry-go"
)

// Reporter reports errors to Sentry; the zero value and nil do nothing.
type Reporter struct {
	client *sentry.Client
}

// New returns a Reporter for dsn; an empty dsn gives one that does nothing.
func New(dsn, release, environment string) (*Reporter, error) {
	if dsn == "" {
		return &Reporter{}, nil
	}
	c, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:            dsn,
		Release:        release,
		Environment:    environment,
		SendDefaultPII: false,
		BeforeSend:     scrub,
		// Source lines around each frame could carry literals (and need the
		// source on disk): send function, file and line only.
		Integrations: func(in []sentry.Integration) []sentry.Integration {
			var out []sentry.Integration
			for _, i := range in {
				if i.Name() != "ContextifyFrames" {
					out = append(out, i)
				}
			}
			return out
		},
	})
	if err != nil {
		return nil, errors.New("SENTRY_DSN: " + err.Error())
	}
	return &Reporter{client: c}, nil
}

// Enabled reports whether errors are sent.
func (r *Reporter) Enabled() bool { return r != nil && r.client != nil }

// Report sends err with the request's method and path, its route template
// and its request id.
func (r *Reporter) Report(err error, req *http.Request, route, requestID string) {
	if !r.Enabled() || err == nil {
		return
	}
	scope := sentry.NewScope()
	if req != nil {
		scope.SetRequest(req)
	}
	scope.SetTag("request_id", requestID)
	scope.SetTag("route", route)
	r.client.CaptureException(err, &sentry.EventHint{OriginalException: err, Request: req}, scope)
}

// Flush waits up to timeout for queued events to be sent (at shutdown).
func (r *Reporter) Flush(timeout time.Duration) bool {
	if !r.Enabled() {
		return true
	}
	return r.client.Flush(timeout)
}

// keptHeaders are the only request headers sent.
var keptHeaders = []string{"Accept", "Content-Type", "User-Agent", "Hx-Request", "Hx-Target"}

var email = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// scrub removes personal data from every event before it is sent.
func scrub(ev *sentry.Event, hint *sentry.EventHint) *sentry.Event {
	ev.User = sentry.User{}
	ev.ServerName = ""
	if rq := ev.Request; rq != nil {
		kept := map[string]string{}
		for _, h := range keptHeaders {
			if v, ok := rq.Headers[h]; ok {
				kept[h] = v
			}
		}
		url := rq.URL
		if hint != nil && hint.Request != nil {
			url = hint.Request.URL.Path
		}
		ev.Request = &sentry.Request{URL: url, Method: rq.Method, Headers: kept}
	}
	ev.Message = email.ReplaceAllString(ev.Message, "[email]")
	for i := range ev.Exception {
		ev.Exception[i].Value = email.ReplaceAllString(ev.Exception[i].Value, "[email]")
	}
	ev.Breadcrumbs = nil
	return ev
}

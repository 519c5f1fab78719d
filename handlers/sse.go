package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// sseWriteTimeout bounds each write to a stream: a client that stops reading
// for this long is gone.
const sseWriteTimeout = 15 * time.Second

// sseStream is an open Server-Sent Events response. Events go out through
// hub.WriteSSE, the one SSE encoder of the application.
type sseStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// startSSE sends the event-stream headers and the status at once, so the
// browser's EventSource opens before the first event.
func startSSE(c echo.Context) *sseStream {
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	s := &sseStream{w: w, rc: http.NewResponseController(w)}
	s.extend()
	return s
}

// extend gives the next writes sseWriteTimeout to complete.
func (s *sseStream) extend() { _ = s.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout)) }

// send writes one event (unflushed).
func (s *sseStream) send(ev hub.Event) error { return hub.WriteSSE(s.w, ev) }

// comment writes an SSE comment (unflushed): a heartbeat or a greeting.
func (s *sseStream) comment(text string) error { return hub.WriteComment(s.w, text) }

// flush hands what was written to the client.
func (s *sseStream) flush() error { return s.rc.Flush() }

// streamContext is the request's context, also cancelled at shutdown.
func (r *renderer) streamContext(c echo.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(c.Request().Context())
	if r.streamsDone != nil {
		go func() { // ends with the stream: its handler defers cancel
			select {
			case <-r.streamsDone:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/lease"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// sseWriteTimeout bounds each write to a stream: a client that stops reading
// for this long is gone.
const sseWriteTimeout = 15 * time.Second

// liveStreams admits and polices every live stream (SSE) this machine
// serves. A stream needs a slot of its owner — a user for page streams, an
// API token for programs — out of STREAMS_PER_OWNER across all machines,
// and one of STREAMS_PER_MACHINE here; past either it is refused with 429.
// Once open it is re-checked at every heartbeat (the session or token that
// opened it must still be good) and closed after STREAM_LIFETIME, when the
// client reconnects and is checked afresh.
type liveStreams struct {
	owners     *lease.Pool
	machineMax int64
	open       atomic.Int64
	heartbeat  time.Duration
	lifetime   time.Duration
	shutdown   context.Context // cancelled when the server shuts down
	metrics    *telemetry.Metrics
}

// streamAuth re-checks that whoever opened a stream may still hold it; an
// error ends the stream.
type streamAuth func(context.Context) error

// liveStream is one open stream: its response, its slot, and the context
// that ends when the client goes, the lifetime is up or the server stops.
type liveStream struct {
	ls     *liveStreams
	w      http.ResponseWriter
	rc     *http.ResponseController
	ctx    context.Context
	cancel context.CancelFunc
	slot   *lease.Lease
	auth   streamAuth
	beat   *time.Ticker
	closed string // why the stream ended, for sse_streams_closed_total
}

// start admits a stream for owner ("user:42", "token:7") and starts the
// event-stream response. Past a cap it returns a 429 with Retry-After and
// writes nothing, so the caller answers with the error as usual.
func (ls *liveStreams) start(c echo.Context, owner string, auth streamAuth) (*liveStream, error) {
	if ls.open.Add(1) > ls.machineMax {
		ls.open.Add(-1)
		ls.metrics.StreamsRefused.WithLabelValues("machine").Inc()
		return nil, &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: ls.heartbeat,
			Message: "This server has as many live streams as it can take; try again shortly."}
	}
	slot, err := ls.owners.Acquire(c.Request().Context(), owner)
	if err != nil || slot == nil {
		ls.open.Add(-1)
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Live streams are unavailable right now.", Err: err}
		}
		ls.metrics.StreamsRefused.WithLabelValues("owner").Inc()
		return nil, &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: 2 * ls.heartbeat,
			Message: "You have " + strconv.Itoa(ls.owners.Max()) + " live streams open already; close a page (or a program's stream) first."}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), ls.lifetime)
	stop := context.AfterFunc(ls.shutdown, cancel) // no goroutine per stream
	cancelAll := func() { stop(); cancel() }
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	ls.metrics.StreamsOpen.Inc()
	s := &liveStream{ls: ls, w: w, rc: http.NewResponseController(w), ctx: ctx, cancel: cancelAll,
		slot: slot, auth: auth, beat: time.NewTicker(ls.heartbeat), closed: "client"}
	s.extend()
	return s, nil
}

// Close releases the stream's slots and counts why it ended.
func (s *liveStream) Close() {
	switch {
	case s.closed != "client":
	case errors.Is(s.ctx.Err(), context.DeadlineExceeded):
		s.closed = "lifetime"
	case s.ls.shutdown.Err() != nil:
		s.closed = "shutdown"
	}
	s.beat.Stop()
	s.cancel()
	s.slot.Release()
	s.ls.open.Add(-1)
	s.ls.metrics.StreamsOpen.Dec()
	s.ls.metrics.StreamsClosed.WithLabelValues(s.closed).Inc()
}

// Done closes when the stream must end: the client went, its lifetime is up
// or the server is shutting down.
func (s *liveStream) Done() <-chan struct{} { return s.ctx.Done() }

// Context is the stream's context (see Done).
func (s *liveStream) Context() context.Context { return s.ctx }

// Beats fires every STREAM_HEARTBEAT; the handler calls heartbeat then.
func (s *liveStream) Beats() <-chan time.Time { return s.beat.C }

// heartbeat renews the stream's slot, re-checks its session or token and
// writes a heartbeat. It reports false when the stream must end.
func (s *liveStream) heartbeat() bool {
	if err := s.auth(s.ctx); err != nil {
		s.closed = "revoked"
		return false
	}
	if ok, err := s.slot.Renew(s.ctx); err == nil && !ok {
		s.closed = "stalled" // the slot expired: this stream was stuck longer than its lease
		return false
	}
	s.extend()
	return s.comment("hb") == nil && s.flush() == nil
}

// stalled ends the stream because its client cannot keep up (or is gone).
func (s *liveStream) stalled() {
	if s.closed == "client" {
		s.closed = "stalled"
	}
}

// extend gives the next writes sseWriteTimeout to complete.
func (s *liveStream) extend() { _ = s.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout)) }

// send writes one event (unflushed) through hub.WriteSSE, the one SSE
// encoder of the application.
func (s *liveStream) send(ev hub.Event) error { return hub.WriteSSE(s.w, ev) }

// comment writes an SSE comment (unflushed): a heartbeat or a greeting.
func (s *liveStream) comment(text string) error { return hub.WriteComment(s.w, text) }

// flush hands what was written to the client.
func (s *liveStream) flush() error { return s.rc.Flush() }

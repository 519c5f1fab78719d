package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// StreamHandler serves Server-Sent Events from the process's quote hub.
type StreamHandler struct {
	hub       *hub.Hub
	heartbeat time.Duration
	r         *renderer
}

const maxStreamCodes = 500

// parseCodes reads a comma-separated code list ("" = every code).
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
			return nil, apperr.FieldError(param, "%q is not an ASX code", c)
		}
		seen[c] = true
		out = append(out, c)
	}
	if len(out) > maxStreamCodes {
		return nil, apperr.FieldError(param, "at most %d codes", maxStreamCodes)
	}
	return out, nil
}

// handlePageStream is the board's stream: HTML rows for htmx's sse-swap, or
// JSON for the chart (format=json). Signed-in users only.
func (h *StreamHandler) handlePageStream(c echo.Context) error {
	codes, err := parseCodes(c.QueryParam("codes"), "codes")
	if err != nil {
		return err
	}
	format := hub.HTML
	if c.QueryParam("format") == "json" {
		format = hub.JSON
	}
	return h.stream(c, codes, format)
}

// handleAPIStream is the programs' stream: JSON events named "q".
func (h *StreamHandler) handleAPIStream(c echo.Context) error {
	codes, err := parseCodes(c.QueryParam("symbols"), "symbols")
	if err != nil {
		return err
	}
	return h.stream(c, codes, hub.JSON)
}

// stream writes a snapshot of the subscribed codes, then every update as it
// comes (coalesced per code when the client lags), with heartbeats. Every
// (re)connection starts with a fresh snapshot, so a browser that reconnects
// with Last-Event-ID is current again at once. It returns when the client
// goes, the hub drops a client that stalls, or the server shuts down.
func (h *StreamHandler) stream(c echo.Context, codes []string, format hub.Format) error {
	sub := h.hub.Subscribe(codes, format)
	defer sub.Close()
	w := c.Response()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	hd.Set("Connection", "keep-alive")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(15 * time.Second)) }
	deadline()
	if err := hub.WriteComment(w, "qlibpro quotes"); err != nil {
		return nil
	}
	for _, ev := range h.hub.Snapshot(codes, format) {
		if err := hub.WriteSSE(w, ev); err != nil {
			return nil
		}
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	ctx, cancel := h.r.streamContext(c)
	defer cancel()
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	buf := make([]hub.Event, 0, 64)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			return nil // dropped for stalling: the browser reconnects
		case <-beat.C:
			deadline()
			if hub.WriteComment(w, "hb") != nil || rc.Flush() != nil {
				return nil
			}
		case <-sub.Notify():
			deadline()
			for {
				buf = sub.DrainN(buf[:0], 64)
				if len(buf) == 0 {
					break
				}
				for _, ev := range buf {
					if hub.WriteSSE(w, ev) != nil {
						return nil
					}
					h.hub.ObserveWritten(ev)
				}
			}
			if rc.Flush() != nil {
				return nil
			}
		}
	}
}

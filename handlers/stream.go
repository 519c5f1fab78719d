package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// streamHandler serves live quotes as Server-Sent Events from the process's
// quote hub: to pages (HTML rows or chart JSON) and to programs (JSON).
type streamHandler struct {
	hub       *hub.Hub
	heartbeat time.Duration
	r         *renderer
}

// handlePageStream is the board's stream: HTML rows for htmx's sse-swap, or
// JSON for the chart (format=json). Signed-in users only.
func (h *streamHandler) handlePageStream(c echo.Context) error {
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
func (h *streamHandler) handleAPIStream(c echo.Context) error {
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
func (h *streamHandler) stream(c echo.Context, codes []string, format hub.Format) error {
	sub := h.hub.Subscribe(codes, format)
	defer sub.Close()
	s := startSSE(c)
	if err := s.comment("qlibpro quotes"); err != nil {
		return nil
	}
	for _, ev := range h.hub.Snapshot(codes, format) {
		if err := s.send(ev); err != nil {
			return nil
		}
	}
	if err := s.flush(); err != nil {
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
			s.extend()
			if s.comment("hb") != nil || s.flush() != nil {
				return nil
			}
		case <-sub.Notify():
			s.extend()
			for {
				buf = sub.DrainN(buf[:0], 64)
				if len(buf) == 0 {
					break
				}
				for _, ev := range buf {
					if s.send(ev) != nil {
						return nil
					}
					h.hub.ObserveWritten(ev)
				}
			}
			if s.flush() != nil {
				return nil
			}
		}
	}
}

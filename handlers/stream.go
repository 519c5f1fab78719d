package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// streamHandler serves live quotes as Server-Sent Events from the process's
// quote hub: to pages (HTML rows and chart JSON, multiplexed on one stream
// per page) and to programs (JSON).
type streamHandler struct {
	hub     *hub.Hub
	streams *liveStreams
	s       *sessions
	api     *apiAuthHandler
}

// feed is one part of a stream: codes (nil: every code) in one format.
type feed struct {
	codes  []string
	format hub.Format
}

// handlePageStream is a page's one stream. ?codes= are board rows (HTML for
// the row's swap) and ?charts= codes whose chart follows the trades (JSON),
// both on the same connection; ?format=json sends ?codes= as JSON instead.
// Signed-in users only.
func (h *streamHandler) handlePageStream(c echo.Context) error {
	codes, err := parseCodes(c.QueryParam("codes"), "codes")
	if err != nil {
		return err
	}
	charts, err := parseCodes(c.QueryParam("charts"), "charts")
	if err != nil {
		return err
	}
	var feeds []feed
	switch {
	case c.QueryParam("format") == "json":
		feeds = append(feeds, feed{codes, hub.JSON})
	case len(codes) > 0 || len(charts) == 0:
		feeds = append(feeds, feed{codes, hub.HTML})
	}
	if len(charts) > 0 {
		feeds = append(feeds, feed{charts, hub.JSON})
	}
	u := currentUser(c)
	s, err := h.streams.start(c, "user:"+strconv.FormatInt(u.ID, 10), h.s.stillSignedIn(c))
	if err != nil {
		return err
	}
	defer s.Close()
	h.stream(s, feeds)
	return nil
}

// handleAPIStream is the programs' stream: JSON events named "q".
func (h *streamHandler) handleAPIStream(c echo.Context) error {
	codes, err := parseCodes(c.QueryParam("symbols"), "symbols")
	if err != nil {
		return err
	}
	p := principal(c)
	s, err := h.streams.start(c, "token:"+strconv.FormatInt(p.TokenID, 10), h.api.stillAuthorized(c))
	if err != nil {
		return err
	}
	defer s.Close()
	h.stream(s, []feed{{codes, hub.JSON}})
	return nil
}

// stream writes a snapshot of every feed's codes, then every update as it
// comes (coalesced per code when the client lags), with heartbeats. Every
// (re)connection starts with a fresh snapshot, so a browser that reconnects
// with Last-Event-ID is current again at once. It returns when the client
// goes, the hub drops a client that stalls, the session or token is
// revoked, the stream's lifetime is up or the server shuts down.
func (h *streamHandler) stream(s *liveStream, feeds []feed) {
	// Subscribing before taking the snapshot means no update falls between.
	subs := make([]*hub.Subscription, len(feeds))
	for i, f := range feeds {
		subs[i] = h.hub.Subscribe(f.codes, f.format)
		defer subs[i].Close()
	}
	if err := s.comment("qlibpro quotes"); err != nil {
		return
	}
	for _, f := range feeds {
		for _, ev := range h.hub.Snapshot(f.codes, f.format) {
			if err := s.send(ev); err != nil {
				return
			}
		}
	}
	if err := s.flush(); err != nil {
		return
	}
	// A page has at most two feeds (rows and charts); the second's channels
	// stay nil, and so never ready, when there is one.
	var notify [2]<-chan struct{}
	var done [2]<-chan struct{}
	for i, sub := range subs {
		notify[i], done[i] = sub.Notify(), sub.Done()
	}
	buf := make([]hub.Event, 0, 64)
	for {
		var sub *hub.Subscription
		select {
		case <-s.Done():
			return
		case <-done[0]:
			s.stalled() // dropped for stalling: the browser reconnects
			return
		case <-done[1]:
			s.stalled()
			return
		case <-s.Beats():
			if !s.heartbeat() {
				return
			}
			continue
		case <-notify[0]:
			sub = subs[0]
		case <-notify[1]:
			sub = subs[1]
		}
		s.extend()
		for {
			buf = sub.DrainN(buf[:0], 64)
			if len(buf) == 0 {
				break
			}
			for _, ev := range buf {
				if s.send(ev) != nil {
					s.stalled()
					return
				}
				h.hub.ObserveWritten(ev)
			}
		}
		if s.flush() != nil {
			s.stalled()
			return
		}
	}
}

package handlers

import (
	"bytes"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/views/pages"
)

// backtestPollEvery is how often a run's stream re-reads its progress.
const backtestPollEvery = 500 * time.Millisecond

// backtestsStreamHandler streams a run's progress to its page: the progress
// partial, re-rendered when the run moves, until the run is done. It is one
// of the user's live streams (STREAMS_PER_OWNER), like every page stream.
type backtestsStreamHandler struct {
	runs    *runs.Service
	streams *liveStreams
	s       *sessions
}

func (h *backtestsStreamHandler) handleStream(c echo.Context) error {
	id, err := idParam(c, "Backtest")
	if err != nil {
		return err
	}
	user := currentUser(c).ID
	r, err := h.runs.Get(c.Request().Context(), user, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return errNotFound("Backtest")
	}
	if err != nil {
		return err
	}
	csrf := h.s.csrfToken(c)
	s, err := h.streams.start(c, "user:"+strconv.FormatInt(user, 10), h.s.stillSignedIn(c))
	if err != nil {
		return err
	}
	defer s.Close()
	var last []byte
	send := func(r runs.Run) bool {
		b, err := renderBytes(pages.BacktestProgress(progressView(r, csrf)))
		if err != nil {
			return false
		}
		if bytes.Equal(b, last) {
			return true
		}
		last = b
		s.extend()
		if s.send(hub.Event{Name: pages.BacktestProgressEvent, Data: b}) != nil || s.flush() != nil {
			s.stalled()
			return false
		}
		return true
	}
	if !send(r) || r.Done() {
		return nil
	}
	poll := time.NewTicker(backtestPollEvery)
	defer poll.Stop()
	for {
		select {
		case <-s.Done():
			return nil
		case <-s.Beats():
			if !s.heartbeat() {
				return nil
			}
		case <-poll.C:
			cur, err := h.runs.Get(s.Context(), user, id)
			if err != nil || !send(cur) || cur.Done() {
				return nil
			}
		}
	}
}

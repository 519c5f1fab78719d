package handlers

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
)

// portfolioStreamHandler streams a paper account's dashboard: the summary
// cards and holdings rows, re-rendered as its quotes move.
type portfolioStreamHandler struct {
	pf      *portfolio.Service
	hub     *hub.Hub
	streams *liveStreams
	s       *sessions
}

// handleStream pushes the re-rendered summary and holdings rows when the
// account's quotes move, and every few seconds for fills and dividends.
// Unchanged renders are not sent. The stream counts as one of the user's.
func (h *portfolioStreamHandler) handleStream(c echo.Context) error {
	a, err := pathAccount(c, h.pf)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := h.pf.Value(ctx, a)
	if err != nil {
		return err
	}
	hist, err := h.pf.History(ctx, v)
	if err != nil {
		return err
	}
	user := currentUser(c).ID
	s, err := h.streams.start(c, "user:"+strconv.FormatInt(user, 10), h.s.stillSignedIn(c))
	if err != nil {
		return err
	}
	defer s.Close()
	st := &dashboardStream{live: s, hub: h.hub, past: hist.Points[:len(hist.Points)-1]}
	defer st.unsubscribe()
	if err := st.send(v); err != nil {
		s.stalled()
		return nil
	}
	st.run(func(ctx context.Context) (portfolio.Valuation, error) {
		cur, err := h.pf.Account(ctx, user, a.ID)
		if err != nil {
			return portfolio.Valuation{}, err
		}
		return h.pf.Value(ctx, cur)
	})
	return nil
}

// dashboardStream is one open dashboard stream: the quotes it follows (the
// account's holdings) and what it last sent.
type dashboardStream struct {
	live  *liveStream
	hub   *hub.Hub
	past  []portfolio.Point // the value history before today, for the live TWR
	sub   *hub.Subscription
	codes []string
	// The last bytes sent of each event.
	summary, rows []byte
}

// run re-values the account when a held quote moves (at most once a
// second) and at least every five seconds, until the stream ends.
func (st *dashboardStream) run(value func(context.Context) (portfolio.Valuation, error)) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	dirty, last := false, time.Now()
	for {
		var notify, done <-chan struct{}
		if st.sub != nil {
			notify, done = st.sub.Notify(), st.sub.Done()
		}
		select {
		case <-st.live.Done():
			return
		case <-done:
			st.live.stalled() // dropped by the hub: the browser reconnects
			return
		case <-st.live.Beats():
			if !st.live.heartbeat() {
				return
			}
		case <-notify:
			st.sub.Drain(nil)
			dirty = true
		case <-tick.C:
			if !dirty && time.Since(last) < 5*time.Second {
				continue
			}
			v, err := value(st.live.Context())
			if err != nil {
				return
			}
			if st.send(v) != nil {
				st.live.stalled()
				return
			}
			dirty, last = false, time.Now()
		}
	}
}

// send follows v's holdings and writes whichever of the two events changed.
func (st *dashboardStream) send(v portfolio.Valuation) error {
	st.follow(v)
	twr := portfolio.TimeWeightedReturn(append(slices.Clone(st.past), portfolio.Point{Value: v.Total, Live: true}))
	summary, err := renderBytes(components.PortfolioSummaryBody(summaryView(v, twr)))
	if err != nil {
		return err
	}
	rows, err := renderBytes(components.HoldingsRows(holdingsView(v)))
	if err != nil {
		return err
	}
	st.live.extend()
	if !bytes.Equal(summary, st.summary) {
		if err := st.live.send(hub.Event{Name: components.SummaryEvent, Data: summary}); err != nil {
			return err
		}
		st.summary = summary
	}
	if !bytes.Equal(rows, st.rows) {
		if err := st.live.send(hub.Event{Name: components.HoldingsEvent, Data: rows}); err != nil {
			return err
		}
		st.rows = rows
	}
	return st.live.flush()
}

// follow subscribes to the quotes of v's holdings when they changed.
func (st *dashboardStream) follow(v portfolio.Valuation) {
	var held []string
	for _, x := range v.Holdings {
		held = append(held, x.Code)
	}
	slices.Sort(held)
	if slices.Equal(held, st.codes) {
		return
	}
	st.unsubscribe()
	if st.codes = held; len(held) > 0 {
		st.sub = st.hub.Subscribe(held, hub.JSON)
	}
}

func (st *dashboardStream) unsubscribe() {
	if st.sub != nil {
		st.sub.Close()
		st.sub = nil
	}
}

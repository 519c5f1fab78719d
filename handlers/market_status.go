package handlers

import (
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/views/layouts"
)

// marketStatus returns the header's market indicator: the ASX phase on the
// session clock (simulated with the demo feed) and the next open.
func marketStatus(cal *asx.Calendar, clock provider.Clock) func(time.Time) layouts.MarketStatus {
	return func(now time.Time) layouts.MarketStatus {
		st := cal.Status(clock.Session(now))
		next := st.NextOpen.In(asx.Sydney()).Format("Mon 2 Jan 15:04 MST")
		if clock.Simulated() {
			next = st.NextOpen.In(asx.Sydney()).Format("15:04") + " (simulated session time)"
		}
		return layouts.MarketStatus{Phase: st.Phase.String(), Label: st.Label, NextOpen: next, Simulated: clock.Simulated()}
	}
}

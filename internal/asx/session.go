package asx

import (
	"fmt"
	"time"
)

// Phase is a stage of the ASX trading day.
//
// After the closing auction the ASX runs an Adjust phase (16:12–17:00, or
// 14:12–15:00 on an early-close day) in which orders may be amended or
// cancelled but nothing trades. It is modelled as its own phase rather than
// folded into Closed so screens can say why orders are still being accepted.
type Phase int

// Phases in the order they occur on a trading day.
const (
	Closed         Phase = iota // no session: overnight, weekends and holidays
	PreOpen                     // 07:00–10:00: orders queue, nothing trades
	OpeningAuction              // from 10:00 until the instrument's group opens
	Open                        // continuous trading until 16:00
	PreClose                    // 16:00–16:10: orders queue for the closing auction
	ClosingAuction              // 16:10 until the auction ends, nominally 16:12
	Adjust                      // 16:12–17:00: amend or cancel only
)

var phaseIDs = [...]string{"closed", "pre_open", "opening_auction", "open", "pre_close", "closing_auction", "adjust"}

var phaseLabels = [...]string{"Closed", "Pre-open", "Opening auction", "Open", "Pre-close", "Closing auction", "Adjust"}

// String returns the phase's lowercase id, such as "pre_open", for CSS
// classes, JSON and logs.
func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseIDs) {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseIDs[p]
}

// Label returns the phase's name for people, such as "Pre-open".
func (p Phase) Label() string {
	if p < 0 || int(p) >= len(phaseLabels) {
		return p.String()
	}
	return phaseLabels[p]
}

// Opening-auction stagger: each group of codes opens this long after 10:00.
// The ASX adds up to ±15 s at random per group; that noise belongs to the
// simulator, not to the rules.
const (
	groupAB = 0
	groupCF = 2*time.Minute + 15*time.Second
	groupGM = 4*time.Minute + 30*time.Second
	groupNR = 6*time.Minute + 45*time.Second
	groupSZ = 9 * time.Minute
)

// GroupOpenOffset returns how long after 10:00 the instrument with this ASX
// code opens, by the code's first character: 0-9 and A–B at 0, C–F at 2m15s,
// G–M at 4m30s, N–R at 6m45s and S–Z at 9m. Lower case counts as upper case;
// an empty code or other first character falls in the first group.
func GroupOpenOffset(code string) time.Duration {
	if code == "" {
		return groupAB
	}
	ch := code[0]
	if 'a' <= ch && ch <= 'z' {
		ch -= 'a' - 'A'
	}
	switch {
	case 'C' <= ch && ch <= 'F':
		return groupCF
	case 'G' <= ch && ch <= 'M':
		return groupGM
	case 'N' <= ch && ch <= 'R':
		return groupNR
	case 'S' <= ch && ch <= 'Z':
		return groupSZ
	}
	return groupAB
}

// Session holds one trading day's phase boundaries. Instants are in UTC;
// they were computed from Sydney wall-clock times, so they are right on both
// sides of a daylight-saving change.
type Session struct {
	Date           time.Time // the trading day, midnight in Sydney
	PreOpen        time.Time // 07:00 Sydney
	Open           time.Time // 10:00 Sydney: the first group opens
	PreClose       time.Time // 16:00 Sydney (14:00 on an early-close day)
	ClosingAuction time.Time // 16:10 Sydney (14:10)
	Close          time.Time // 16:12 Sydney (14:12): the nominal end of the closing auction
	AdjustEnd      time.Time // 17:00 Sydney (15:00): the Adjust phase ends
	EarlyClose     bool
}

// SessionTimes returns the session of d's Sydney date, or false if the ASX
// does not trade that day.
func (c *Calendar) SessionTimes(d time.Time) (Session, bool) {
	day := dateOf(d)
	if !c.isTradingDate(day) {
		return Session{}, false
	}
	return c.session(day), true
}

// session assumes day is a trading day.
func (c *Calendar) session(day civilDate) Session {
	early := c.isEarlyClose(day)
	closeHour := 16
	if early {
		closeHour = 14
	}
	return Session{
		Date:           day.midnight(),
		PreOpen:        day.at(7, 0).UTC(),
		Open:           day.at(10, 0).UTC(),
		PreClose:       day.at(closeHour, 0).UTC(),
		ClosingAuction: day.at(closeHour, 10).UTC(),
		Close:          day.at(closeHour, 12).UTC(),
		AdjustEnd:      day.at(closeHour+1, 0).UTC(),
		EarlyClose:     early,
	}
}

// phaseAt returns the phase at t for an instrument that opens openOffset
// after 10:00. For the first group the opening auction takes no time: it
// opens at 10:00:00 itself.
func (s Session) phaseAt(t time.Time, openOffset time.Duration) Phase {
	switch {
	case t.Before(s.PreOpen):
		return Closed
	case t.Before(s.Open):
		return PreOpen
	case t.Before(s.Open.Add(openOffset)):
		return OpeningAuction
	case t.Before(s.PreClose):
		return Open
	case t.Before(s.ClosingAuction):
		return PreClose
	case t.Before(s.Close):
		return ClosingAuction
	case t.Before(s.AdjustEnd):
		return Adjust
	}
	return Closed
}

// boundaries returns the instants at which the market-wide phase changes.
func (s Session) boundaries() []time.Time {
	return []time.Time{s.PreOpen, s.Open, s.Open.Add(groupSZ), s.PreClose, s.ClosingAuction, s.Close, s.AdjustEnd}
}

// PhaseAt returns the phase of the instrument with this ASX code at t: in
// its opening auction from 10:00 until its group opens (see GroupOpenOffset),
// then in continuous trading.
func (c *Calendar) PhaseAt(t time.Time, code string) Phase {
	return c.phaseAt(t, GroupOpenOffset(code))
}

// MarketPhase returns the market-wide phase at t: the opening auction lasts
// from 10:00 until the last group opens at 10:09:00.
func (c *Calendar) MarketPhase(t time.Time) Phase {
	return c.phaseAt(t, groupSZ)
}

func (c *Calendar) phaseAt(t time.Time, openOffset time.Duration) Phase {
	day := dateOf(t)
	if !c.isTradingDate(day) {
		return Closed
	}
	return c.session(day).phaseAt(t, openOffset)
}

// Status is the market-wide state at one instant, for status bars and the
// simulator's clock. Instants are in UTC.
type Status struct {
	Phase        Phase
	Label        string
	NextOpen     time.Time // the next 10:00 Sydney open still to come
	NextChange   time.Time // when the market phase next changes
	IsTradingDay bool      // whether t's Sydney date is a trading day
}

// Status returns the market-wide status at t. NextOpen is today's 10:00 open
// if t is before it on a trading day, otherwise 10:00 on the next trading
// day; at 10:00 exactly today's open has begun, so the next one is reported.
func (c *Calendar) Status(t time.Time) Status {
	day := dateOf(t)
	st := Status{
		Phase:        c.MarketPhase(t),
		IsTradingDay: c.isTradingDate(day),
	}
	st.Label = st.Phase.Label()
	if st.IsTradingDay {
		s := c.session(day)
		if t.Before(s.Open) {
			st.NextOpen = s.Open
		}
		for _, b := range s.boundaries() {
			if t.Before(b) {
				st.NextChange = b
				break
			}
		}
	}
	if st.NextOpen.IsZero() || st.NextChange.IsZero() {
		next := c.session(c.nextTradingDate(day))
		if st.NextOpen.IsZero() {
			st.NextOpen = next.Open
		}
		if st.NextChange.IsZero() {
			st.NextChange = next.PreOpen
		}
	}
	return st
}

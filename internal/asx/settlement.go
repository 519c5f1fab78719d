package asx

import "time"

// t2Start is the first trade date settled T+2; earlier trades settled T+3,
// so trades of Friday 4 and Monday 7 March 2016 both settled on 9 March
// (asx.com.au/services/t2.htm).
var t2Start = civilDate{2016, time.March, 7}

// SettlementDate returns the day a trade settles under the default calendar:
// two trading days after the trade's Sydney date (three before 7 March 2016),
// as midnight in Sydney.
func SettlementDate(trade time.Time) time.Time {
	return defaultCalendar.SettlementDate(trade)
}

// SettlementDate returns the day a trade settles under c: two trading days
// after the trade's Sydney date (three before 7 March 2016), as midnight in
// Sydney. Settlement days are the ASX's business days, which are its trading
// days: CHESS does not settle on the holidays the market is closed.
func (c *Calendar) SettlementDate(trade time.Time) time.Time {
	day := dateOf(trade)
	n := 2
	if day.before(t2Start) {
		n = 3
	}
	for range n {
		day = c.nextTradingDate(day)
	}
	return day.midnight()
}

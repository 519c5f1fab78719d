package provider

import "github.com/qlibpro/qlibpro/internal/asx"

// probe is far below any ASX price step yet above the 1e-8 grid the asx float
// helpers snap to, so TickSizeFloat(p±probe) is the step just above or below
// p, which differs from p's own step at the band edges 0.10 and 2.00.
const probe = 1e-7

// TickUp returns the next valid ASX price above p, which should itself be a
// valid price: 0.100 → 0.105, 1.995 → 2.00, 2.00 → 2.01.
func TickUp(p float64) float64 {
	if p < 0.001 {
		return 0.001
	}
	return asx.RoundFloatToTick(p + asx.TickSizeFloat(p+probe))
}

// TickDown returns the next valid ASX price below p, which should itself be a
// valid price: 0.105 → 0.100, 2.00 → 1.995, 0.100 → 0.099. It returns 0 when
// p is the smallest price, 0.001, or below it.
func TickDown(p float64) float64 {
	if p <= 0.001+probe {
		return 0
	}
	return asx.RoundFloatToTick(p - asx.TickSizeFloat(p-probe))
}

// Spread returns a best bid and ask around a valid price p that are ticks
// steps apart (at least 1), with bid <= p <= ask, both valid and positive,
// so bid < ask always holds. below says how many of the steps lie under p
// (clamped to 0..ticks and to the room there is above 0.001).
func Spread(p float64, ticks, below int) (bid, ask float64) {
	p = asx.RoundFloatToTick(p)
	ticks = max(ticks, 1)
	below = min(max(below, 0), ticks)
	bid = p
	for range below {
		d := TickDown(bid)
		if d == 0 {
			break
		}
		bid = d
	}
	ask = bid
	for range ticks {
		ask = TickUp(ask)
	}
	return bid, ask
}

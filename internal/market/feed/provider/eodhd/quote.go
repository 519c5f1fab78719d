package eodhd

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
)

// quote is one element of a real-time response. EODHD writes "NA" for
// values it does not have, so every number may be missing.
type quote struct {
	Code          string   `json:"code"`
	Timestamp     naNumber `json:"timestamp"` // Unix seconds of the (delayed) quote
	Open          naNumber `json:"open"`
	High          naNumber `json:"high"`
	Low           naNumber `json:"low"`
	Close         naNumber `json:"close"` // the latest price during the session
	Volume        naNumber `json:"volume"`
	PreviousClose naNumber `json:"previousClose"`
	Change        naNumber `json:"change"`
	ChangeP       naNumber `json:"change_p"`
}

// naNumber is a JSON number that may instead be "NA", null or a numeric string.
type naNumber struct {
	v  float64
	ok bool
}

// UnmarshalJSON accepts a number, a string holding one, or "NA"/"N/A"/""/null
// for a missing value.
func (n *naNumber) UnmarshalJSON(b []byte) error {
	*n = naNumber{}
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" || strings.EqualFold(s, "NA") || strings.EqualFold(s, "N/A") {
			return nil
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) { // ParseFloat reads "NaN" and "Inf"
		return errors.New("not a number or NA: " + s)
	}
	*n = naNumber{v: v, ok: true}
	return nil
}

// parseQuotes reads a real-time response: an array for a request with
// several symbols, a single object for one.
func parseQuotes(body []byte) ([]quote, error) {
	body = bytes.TrimSpace(body)
	switch {
	case bytes.HasPrefix(body, []byte("[")):
		var qs []quote
		err := json.Unmarshal(body, &qs)
		return qs, err
	case bytes.HasPrefix(body, []byte("{")):
		var q quote
		err := json.Unmarshal(body, &q)
		return []quote{q}, err
	}
	return nil, errors.New("neither a JSON object nor an array")
}

// Bounds on the numbers change uses; past them a value counts as missing.
// Quote times travel as Unix nanoseconds (up to 2262), and a volume above
// 2^53 shares is not a whole number in a float64.
const (
	maxTimestamp = math.MaxInt64 / 1e9
	maxVolume    = 1 << 53
)

// asxCode returns the ASX code of an EODHD symbol such as "BHP.AU".
func asxCode(symbol string) string {
	s := strings.ToUpper(strings.TrimSpace(symbol))
	return strings.TrimSuffix(s, suffix)
}

// last is what the provider last saw of one code.
type last struct {
	close  float64
	volume int64
	at     time.Time
}

// change compares q with what was seen before (had says whether anything
// was) and returns the tick it amounts to, if any, and the new state. polled
// stands in for a missing timestamp.
//
// The first sight of a code, and the first of a new Sydney trading date, is
// a trade of the day's volume so far, so the quote's volume matches the
// day's; after that a trade is the volume added since the last poll, and a
// price change without volume is a QuoteOnly tick.
func change(q quote, prev last, had bool, polled time.Time) (market.Tick, last, bool) {
	if !q.Close.ok || !(q.Close.v > 0) {
		return market.Tick{}, prev, false
	}
	at := polled.UTC()
	if q.Timestamp.ok && q.Timestamp.v > 0 && q.Timestamp.v <= maxTimestamp {
		at = time.Unix(int64(q.Timestamp.v), 0).UTC()
	}
	if had && at.Before(prev.at) {
		return market.Tick{}, prev, false // an older quote than one already seen
	}
	vol := prev.volume
	if q.Volume.ok && q.Volume.v >= 0 && q.Volume.v <= maxVolume {
		vol = int64(q.Volume.v)
	}
	cur := last{close: q.Close.v, volume: vol, at: at}
	var size int64
	switch {
	case !had || vol < prev.volume || !sameDate(at, prev.at):
		size = vol
	case q.Close.v == prev.close && vol == prev.volume:
		return market.Tick{}, cur, false
	default:
		size = vol - prev.volume
	}
	tk := market.Tick{Time: at, Code: asxCode(q.Code), Price: q.Close.v, Size: size, Kind: market.Trade}
	if size <= 0 {
		tk.Size, tk.Kind = 0, market.QuoteOnly
	}
	return tk, cur, true
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.In(asx.Sydney()).Date()
	by, bm, bd := b.In(asx.Sydney()).Date()
	return ay == by && am == bm && ad == bd
}

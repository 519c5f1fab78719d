package market

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// Interval is a candle width.
type Interval struct {
	Name    string        // 1m 5m 15m 1h 1D 1W 1M
	Minutes int           // intraday width; 0 for D/W/M
	Period  string        // day | week | month for daily-based intervals
	MaxSpan time.Duration // largest from–to range accepted
	Default time.Duration // range when from is not given
}

// Intervals in the order the interval switcher shows them.
var Intervals = []Interval{
	{Name: "1m", Minutes: 1, MaxSpan: 7 * 24 * time.Hour, Default: 24 * time.Hour},
	{Name: "5m", Minutes: 5, MaxSpan: 31 * 24 * time.Hour, Default: 5 * 24 * time.Hour},
	{Name: "15m", Minutes: 15, MaxSpan: 93 * 24 * time.Hour, Default: 14 * 24 * time.Hour},
	{Name: "1h", Minutes: 60, MaxSpan: 366 * 24 * time.Hour, Default: 31 * 24 * time.Hour},
	{Name: "1D", Period: "day", MaxSpan: 12 * 366 * 24 * time.Hour, Default: 366 * 24 * time.Hour},
	{Name: "1W", Period: "week", MaxSpan: 30 * 366 * 24 * time.Hour, Default: 5 * 366 * 24 * time.Hour},
	{Name: "1M", Period: "month", MaxSpan: 30 * 366 * 24 * time.Hour, Default: 12 * 366 * 24 * time.Hour},
}

// MaxCandles caps one response.
const MaxCandles = 5000

// intervalAliases are other spellings accepted for the names in Intervals.
// "1m" is a minute and "1M" a month, so those two are never folded.
var intervalAliases = map[string]string{
	"1H": "1h", "60m": "1h", "5M": "5m", "15M": "15m", "1d": "1D", "1w": "1W", "1mo": "1M", "1MO": "1M",
}

// ParseInterval looks an interval up by name ("" = 1D).
func ParseInterval(s string) (Interval, error) {
	if s == "" {
		s = "1D"
	}
	if alias, ok := intervalAliases[s]; ok {
		s = alias
	}
	for _, iv := range Intervals {
		if iv.Name == s {
			return iv, nil
		}
	}
	return Interval{}, apperr.FieldError("interval", "interval must be one of 1m, 5m, 15m, 1h, 1D, 1W, 1M; got %q", s)
}

// Intraday reports whether the interval is built from one-minute bars.
func (iv Interval) Intraday() bool { return iv.Minutes > 0 }

// Range resolves from/to (RFC 3339 or YYYY-MM-DD in Sydney time; empty = the
// interval's default range ending now) and validates it.
func (iv Interval) Range(fromS, toS string, now time.Time) (time.Time, time.Time, error) {
	to := now
	var err error
	if toS != "" {
		if to, err = parseWhen(toS, true); err != nil {
			return time.Time{}, time.Time{}, apperr.FieldError("to", "to must be a date (2026-06-04) or an RFC 3339 time")
		}
	}
	from := to.Add(-iv.Default)
	if fromS != "" {
		if from, err = parseWhen(fromS, false); err != nil {
			return time.Time{}, time.Time{}, apperr.FieldError("from", "from must be a date (2026-06-04) or an RFC 3339 time")
		}
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, apperr.FieldError("from", "from must be before to")
	}
	if to.Sub(from) > iv.MaxSpan {
		return time.Time{}, time.Time{}, apperr.FieldError("from", "the range from–to is too long for %s candles (at most %d days)", iv.Name, int(iv.MaxSpan.Hours()/24))
	}
	return from, to, nil
}

// parseWhen reads RFC 3339 or a Sydney calendar date (the end of that day when end is true).
func parseWhen(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, asx.Sydney())
	if err != nil {
		return time.Time{}, err
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// Service answers market-data questions from the database.
type Service struct {
	q   *db.Queries
	cal *asx.Calendar
	now func() time.Time // the session clock: "today" for daily candles

	simulated bool // the live feed is the simulator
}

// NewService returns the market-data service.
func NewService(pool *pgxpool.Pool, cal *asx.Calendar) *Service {
	return &Service{q: db.New(pool), cal: cal, now: time.Now}
}

// UseClock sets the clock whose Sydney date is today's session (the
// session clock of a simulated feed, whose ticks carry session times), and
// whether the feed is simulated (its intraday bars are then simulated).
func (s *Service) UseClock(now func() time.Time, simulated bool) { s.now, s.simulated = now, simulated }

// Simulated reports whether the live feed, and so the intraday bars, are
// simulated.
func (s *Service) Simulated() bool { return s.simulated }

// SimSpan returns the first and last of the instrument's simulated daily
// bars (source sim), false when it has none.
func (s *Service) SimSpan(ctx context.Context, code string) (first, last time.Time, ok bool, err error) {
	r, err := s.q.GetSimSpanFor(ctx, code)
	if err != nil || r.FirstSim.Year() <= 1 {
		return time.Time{}, time.Time{}, false, err
	}
	return r.FirstSim, r.LastSim, true, nil
}

// SimDays returns the dates (asx.Civil) of the instrument's simulated daily
// bars from from's Sydney date to to's.
func (s *Service) SimDays(ctx context.Context, code string, from, to time.Time) (map[time.Time]bool, error) {
	syd := asx.Sydney()
	days, err := s.q.ListSimDays(ctx, db.ListSimDaysParams{Code: code,
		FromDate: asx.Civil(from.In(syd)), ToDate: asx.Civil(to.In(syd))})
	if err != nil {
		return nil, err
	}
	out := make(map[time.Time]bool, len(days))
	for _, d := range days {
		out[d] = true
	}
	return out, nil
}

// PeriodStart returns the start of the week (Monday) or month bucket holding
// day, day itself for "day": the dates daily-based candles are keyed by.
func PeriodStart(day time.Time, period string) time.Time {
	switch period {
	case "week":
		wd := (int(day.Weekday()) + 6) % 7 // Monday = 0
		return day.AddDate(0, 0, -wd)
	case "month":
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// Now returns the instant on the session clock.
func (s *Service) Now() time.Time { return s.now() }

// Instrument returns one instrument or NotFound.
func (s *Service) Instrument(ctx context.Context, code string) (db.Instrument, error) {
	in, err := s.q.GetInstrument(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if db.IsNotFound(err) {
		return in, apperr.New(apperr.NotFound, "Unknown instrument %q.", strings.ToUpper(code))
	}
	return in, err
}

// Prices says whether daily-based candles are adjusted for corporate actions.
type Prices string

// The two price bases of daily history.
const (
	// Adjusted history: price × factor and volume ÷ factor, so splits,
	// consolidations and demergers are not jumps. The latest day's factor is
	// 1, so recent prices are the traded ones.
	Adjusted Prices = "adjusted"
	// Raw history: the prices as traded on each day.
	Raw Prices = "raw"
)

// ParsePrices reads a prices parameter ("" = Adjusted).
func ParsePrices(s string) (Prices, error) {
	switch Prices(strings.ToLower(strings.TrimSpace(s))) {
	case "", Adjusted:
		return Adjusted, nil
	case Raw:
		return Raw, nil
	}
	return "", apperr.FieldError("prices", "prices must be adjusted or raw; got %q", clip(s))
}

func clip(s string) string {
	if len(s) > 20 {
		return strings.ToValidUTF8(s[:20], "") + "…"
	}
	return s
}

// Candles returns the instrument's candles of interval iv in [from, to),
// daily-based ones adjusted for corporate actions (CandlesIn with Adjusted).
func (s *Service) Candles(ctx context.Context, code string, iv Interval, from, to time.Time) ([]Bar, error) {
	return s.CandlesIn(ctx, code, iv, from, to, Adjusted)
}

// CandlesIn returns the instrument's candles of interval iv in [from, to),
// daily-based ones in prices. Daily-based candles end with today's intraday
// bar when the feed has traded today and no daily bar exists yet; adjusted
// history joins it without a jump, since the latest bar's factor is 1 (and an
// action dated today, whose bar does not exist yet, is applied here). Intraday
// candles are always as traded. Bar times are bucket starts in UTC (daily bars
// at midnight UTC of their Sydney date).
func (s *Service) CandlesIn(ctx context.Context, code string, iv Interval, from, to time.Time, prices Prices) ([]Bar, error) {
	in, err := s.Instrument(ctx, code)
	if err != nil {
		return nil, err
	}
	var out []Bar
	if iv.Intraday() {
		rows, err := s.q.ListMinuteCandles(ctx, db.ListMinuteCandlesParams{Minutes: int32(iv.Minutes), Code: in.Code, FromTime: from, ToTime: to, MaxRows: MaxCandles})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, Bar{Time: r.Time.UTC(), Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume})
		}
		return out, nil
	}
	syd := asx.Sydney()
	fromDay, toDay := asx.Civil(from.In(syd)), asx.Civil(to.Add(-time.Nanosecond).In(syd))
	rows, err := s.q.ListDailyCandles(ctx, db.ListDailyCandlesParams{Period: iv.Period, Adjusted: prices != Raw,
		Code: in.Code, FromDate: fromDay, ToDate: toDay, MaxRows: MaxCandles})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out = append(out, Bar{Time: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume})
	}
	today := asx.Civil(s.now().In(syd))
	if today.After(toDay) || today.Before(fromDay) {
		return out, nil
	}
	last, err := s.q.GetLastBarDateFor(ctx, in.Code)
	if err != nil || !last.Before(today) {
		return out, err // today's bar is already final
	}
	sb, err := s.q.GetSessionBar(ctx, db.GetSessionBarParams{Code: in.Code, Day: today})
	if err != nil || sb.Minutes == 0 {
		return out, err
	}
	live := Bar{Time: today, Open: sb.Open, High: sb.High, Low: sb.Low, Close: sb.Close, Volume: sb.Volume}
	if prices != Raw {
		pending, err := s.q.GetPendingFactor(ctx, db.GetPendingFactorParams{Code: in.Code, Day: today})
		if err != nil {
			return nil, err
		}
		adjustBars(out, pending)
	}
	return mergeLive(out, live, iv.Period), nil
}

// adjustBars applies factor f to bars in place (prices × f, volume ÷ f).
func adjustBars(bars []Bar, f float64) {
	if f == 1 || f <= 0 {
		return
	}
	for i := range bars {
		b := &bars[i]
		b.Open, b.High, b.Low, b.Close = b.Open*f, b.High*f, b.Low*f, b.Close*f
		b.Volume = int64(math.Round(float64(b.Volume) / f))
	}
}

// mergeLive appends today's bar, or folds it into the last week/month bucket.
func mergeLive(out []Bar, live Bar, period string) []Bar {
	bucket := live.Time
	switch period {
	case "week":
		wd := (int(bucket.Weekday()) + 6) % 7 // Monday = 0
		bucket = bucket.AddDate(0, 0, -wd)
	case "month":
		bucket = time.Date(bucket.Year(), bucket.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if n := len(out); n > 0 && out[n-1].Time.Equal(bucket) {
		last := out[n-1]
		last.High = max(last.High, live.High)
		last.Low = min(last.Low, live.Low)
		last.Close = live.Close
		last.Volume += live.Volume
		out[n-1] = last
		return out
	}
	live.Time = bucket
	return append(out, live)
}

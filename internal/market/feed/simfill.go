package feed

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider/sim"
)

// FillResult is what FillSimulated wrote.
type FillResult struct {
	Instruments int       // instruments with at least one day written
	Bars        int64     // daily bars written
	FromSession int64     // of them, taken from a played session's one-minute bars
	From, To    time.Time // the first and last day written (zero when none)
	Elapsed     time.Duration
}

// The share of a day's variance in the overnight gap (as the simulator's
// sessions have it) and the spread of the daily range beyond open and close.
const (
	fillGapShare   = 0.15
	fillRangeScale = 0.5
	fillVolumeSD   = 0.35 // stdev of log daily volume around the average
)

// FillSimulated writes a simulated daily bar, source sim, for every active
// instrument on every ASX trading day after its last bar, and after the last
// day of real bars of any instrument, up to and including to, so that
// charts, factors, signals and backtests reach it. A day whose
// session the demo feed played (one-minute bars exist) takes that session's
// bar; any other day is drawn from a random walk that continues from the
// instrument's last close with the volatility and volume of its last year of
// real bars. The draw depends only on seed, the code and the day (and the
// previous close), so filling again, or in pieces, writes the same bars. A
// day that already has a bar keeps it, and real bars imported later replace
// the simulated ones (see asxdata.UpsertBars and UpsertFeedDailyBar).
func FillSimulated(ctx context.Context, pool *pgxpool.Pool, cal *asx.Calendar, seed uint64, to time.Time) (FillResult, error) {
	start := time.Now()
	to = asx.Civil(to)
	q := db.New(pool)
	seeds, err := q.ListSimFillSeeds(ctx)
	if err != nil {
		return FillResult{}, err
	}
	hist, err := q.ListRealCloses(ctx, 251)
	if err != nil {
		return FillResult{}, err
	}
	closes := map[string][]float64{}
	vols := map[string][]int64{}
	for _, h := range hist {
		closes[h.Code] = append(closes[h.Code], h.Close)
		vols[h.Code] = append(vols[h.Code], h.Volume)
	}
	var res FillResult
	played := map[time.Time]map[string]db.ListSessionBarsRow{} // day → code → the session's bar
	var p db.InsertSimDailyBarsParams
	for _, s := range seeds {
		if !s.LastDate.Before(to) || s.LastClose <= 0 {
			continue
		}
		from := s.LastDate
		if from.Before(s.MarketLastReal) {
			from = s.MarketLastReal // it did not trade on those real days: no simulated ones there
		}
		days := cal.TradingDays(sydneyMidnight(from.AddDate(0, 0, 1)), sydneyMidnight(to))
		if len(days) == 0 {
			continue
		}
		index := s.Kind == "index"
		w := walk{code: s.Code, seed: seed, index: index, prev: s.LastClose,
			vol: sim.EstimateVol(closes[s.Code]), avgVolume: float64(sim.EstimateAvgVolume(vols[s.Code]))}
		for _, d := range days {
			day := asx.Civil(d)
			sessions, ok := played[day]
			if !ok {
				rows, err := q.ListSessionBars(ctx, day)
				if err != nil {
					return res, err
				}
				sessions = make(map[string]db.ListSessionBarsRow, len(rows))
				for _, r := range rows {
					sessions[r.Code] = r
				}
				played[day] = sessions
			}
			var b dayBar
			if r, ok := sessions[s.Code]; ok && !index {
				b = dayBar{r.Open, r.High, r.Low, r.Close, r.Volume}
				w.prev = r.Close
				res.FromSession++
			} else {
				b = w.next(day)
			}
			p.Codes, p.Dates = append(p.Codes, s.Code), append(p.Dates, day)
			p.Opens, p.Highs, p.Lows = append(p.Opens, b.open), append(p.Highs, b.high), append(p.Lows, b.low)
			p.Closes, p.Volumes = append(p.Closes, b.close), append(p.Volumes, b.volume)
			if res.From.IsZero() || day.Before(res.From) {
				res.From = day
			}
			if day.After(res.To) {
				res.To = day
			}
		}
		res.Instruments++
	}
	if len(p.Codes) > 0 {
		if res.Bars, err = q.InsertSimDailyBars(ctx, p); err != nil {
			return res, err
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// SimulateTo resolves the end of a fill: "today" is the last trading day
// before the one the demo feed plays now (which writes its own bar at its
// close), a YYYY-MM-DD date must not be after today in Sydney.
func SimulateTo(s string, now time.Time, cal *asx.Calendar) (time.Time, error) {
	syd := now.In(asx.Sydney())
	if s == "today" {
		playing := syd
		if !cal.IsTradingDay(playing) {
			playing = cal.PrevTradingDay(playing)
		}
		return asx.Civil(cal.PrevTradingDay(playing).In(asx.Sydney())), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, apperr.FieldError("simulate-to", "--simulate-to must be today or a date such as 2026-12-04, not %q", s)
	}
	if d.After(asx.Civil(syd)) {
		return time.Time{}, apperr.FieldError("simulate-to", "--simulate-to %s is in the future (today is %s in Sydney)", s, syd.Format(time.DateOnly))
	}
	return d, nil
}

func sydneyMidnight(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, asx.Sydney())
}

type dayBar struct {
	open, high, low, close float64
	volume                 int64 // -1: none (an index)
}

// walk draws one instrument's simulated days.
type walk struct {
	code      string
	seed      uint64
	index     bool
	prev      float64 // the previous close
	vol       float64 // daily stdev of log returns
	avgVolume float64
}

// next draws day's bar from the previous close and advances it. The draws
// come from a source keyed by the seed, the code and the day alone.
func (w *walk) next(day time.Time) dayBar {
	h := fnv.New64a()
	h.Write([]byte(w.code))
	rng := rand.New(rand.NewPCG(w.seed^h.Sum64(), uint64(day.Unix())))
	gap := w.vol * math.Sqrt(fillGapShare) * rng.NormFloat64()
	move := w.vol * math.Sqrt(1-fillGapShare) * rng.NormFloat64()
	up := math.Abs(w.vol * fillRangeScale * rng.NormFloat64())
	down := math.Abs(w.vol * fillRangeScale * rng.NormFloat64())
	round := asx.RoundFloatToTick
	if w.index {
		round = func(p float64) float64 { return math.Round(p*100) / 100 }
	}
	floor := func(p float64) float64 { return max(round(p), 0.001) }
	open := floor(w.prev * math.Exp(gap))
	closing := floor(w.prev * math.Exp(gap+move))
	b := dayBar{open: open, close: closing, volume: -1,
		high: max(floor(max(open, closing)*math.Exp(up)), open, closing),
		low:  min(floor(min(open, closing)*math.Exp(-down)), open, closing)}
	if !w.index {
		b.volume = max(int64(math.Round(w.avgVolume*math.Exp(fillVolumeSD*rng.NormFloat64()-fillVolumeSD*fillVolumeSD/2))), 1)
	}
	w.prev = closing
	return b
}

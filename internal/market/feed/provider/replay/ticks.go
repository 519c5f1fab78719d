// Package replay replays market history through the feed at a speed
// multiplier: recorded ticks from a CSV file, re-timed to start now, or daily
// bars, each day turned into one simulated session on the demo clock.
package replay

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// Name is the provider name of both replays.
const Name = "replay"

// The times a tick may have: those a Unix nanosecond count can hold.
var (
	minTickTime = time.Unix(0, math.MinInt64)
	maxTickTime = time.Unix(0, math.MaxInt64)
)

// maxBatch bounds one emit call, so a fast replay still hands the feed
// batches of a sensible size.
const maxBatch = 1000

// ReadTicksCSV parses recorded ticks, one per row: time,code,price,size,bid,ask
// with an RFC 3339 time from 1678 to 2262 (what the quote stream can carry),
// an ASX code, a positive price, a whole non-negative size (0 makes a
// QuoteOnly tick, otherwise a Trade) and bid and ask that may be empty for
// none. An optional header row starting with "time" and lines starting with
// # are skipped. Times must not go backwards. A bad row is an Invalid error
// naming its line.
func ReadTicksCSV(r io.Reader) ([]market.Tick, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var ticks []market.Tick
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "replay: %v", err)
		}
		line, _ := cr.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "time") {
			continue
		}
		tk, err := parseTickRow(rec)
		if err == nil && len(ticks) > 0 && tk.Time.Before(ticks[len(ticks)-1].Time) {
			err = errors.New("time goes backwards")
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "replay: line %d: %v", line, err)
		}
		ticks = append(ticks, tk)
	}
	if len(ticks) == 0 {
		return nil, apperr.New(apperr.Invalid, "replay: no ticks")
	}
	return ticks, nil
}

func parseTickRow(rec []string) (market.Tick, error) {
	if len(rec) != 6 {
		return market.Tick{}, fmt.Errorf("%d fields, want 6 (time,code,price,size,bid,ask)", len(rec))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	var tk market.Tick
	var err error
	if tk.Time, err = time.Parse(time.RFC3339Nano, rec[0]); err != nil {
		return tk, fmt.Errorf("time %q is not RFC 3339", rec[0])
	}
	// The quote stream carries times as Unix nanoseconds.
	if tk.Time.Before(minTickTime) || tk.Time.After(maxTickTime) {
		return tk, fmt.Errorf("time %s is outside the years 1678 to 2262", rec[0])
	}
	tk.Time = tk.Time.UTC()
	if tk.Code = strings.ToUpper(rec[1]); tk.Code == "" {
		return tk, errors.New("code is empty")
	}
	if !hub.ValidCode(tk.Code) {
		return tk, fmt.Errorf("code %.20q is not an ASX code (1 to 12 letters and digits)", rec[1])
	}
	if tk.Price, err = parsePrice("price", rec[2], false); err != nil {
		return tk, err
	}
	if tk.Size, err = strconv.ParseInt(rec[3], 10, 64); err != nil || tk.Size < 0 {
		return tk, fmt.Errorf("size %q is not a whole number of shares", rec[3])
	}
	if tk.Bid, err = parsePrice("bid", rec[4], true); err != nil {
		return tk, err
	}
	if tk.Ask, err = parsePrice("ask", rec[5], true); err != nil {
		return tk, err
	}
	tk.Kind = market.Trade
	if tk.Size == 0 {
		tk.Kind = market.QuoteOnly
	}
	return tk, nil
}

func parsePrice(field, s string, optional bool) (float64, error) {
	if s == "" && optional {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%s %q is not a number", field, s)
	case v < 0 || (v == 0 && !optional):
		return 0, fmt.Errorf("%s %s must be positive", field, s)
	}
	return v, nil
}

// TicksOptions tune a tick replay.
type TicksOptions struct {
	Speed    float64 // history runs this many times faster than real time; default 1
	Loop     bool    // start again from the first tick after the last
	FirstSeq int64   // Seq of the first tick; default 1
}

// Ticks replays recorded ticks: the first comes out when Run starts and the
// gaps between them are divided by the speed. Emitted ticks carry the real
// instant they are due at and fresh sequence numbers.
type Ticks struct {
	ticks []market.Tick
	opts  TicksOptions
	clock *replayClock
}

var _ provider.Provider = (*Ticks)(nil)

// NewTicks returns a replay of ticks, which must be in time order (as
// ReadTicksCSV returns them).
func NewTicks(ticks []market.Tick, opts TicksOptions) (*Ticks, error) {
	if len(ticks) == 0 {
		return nil, apperr.New(apperr.Invalid, "replay: no ticks")
	}
	for i := 1; i < len(ticks); i++ {
		if ticks[i].Time.Before(ticks[i-1].Time) {
			return nil, apperr.New(apperr.Invalid, "replay: tick %d is earlier than the one before", i+1)
		}
	}
	if !(opts.Speed > 0) || math.IsInf(opts.Speed, 0) {
		opts.Speed = 1
	}
	if opts.FirstSeq <= 0 {
		opts.FirstSeq = 1
	}
	return &Ticks{ticks: ticks, opts: opts, clock: newReplayClock(ticks[0].Time, opts.Speed)}, nil
}

// Name returns "replay".
func (r *Ticks) Name() string { return Name }

// Clock returns a clock whose session time is the recorded time being
// replayed, so phases match the history.
func (r *Ticks) Clock() provider.Clock { return r.clock }

// Run emits the ticks as they fall due. It returns nil when ctx ends or,
// without Loop, once the last tick is out, and the error of emit if emit fails.
func (r *Ticks) Run(ctx context.Context, emit func([]market.Tick) error) error {
	origin := r.ticks[0].Time
	seq := r.opts.FirstSeq - 1
	passStart := r.clock.begin(time.Now())
	due := func(j int) time.Time {
		return passStart.Add(time.Duration(float64(r.ticks[j].Time.Sub(origin)) / r.opts.Speed))
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; ; {
		if ctx.Err() != nil {
			return nil
		}
		now := time.Now()
		var batch []market.Tick
		for i < len(r.ticks) && !due(i).After(now) && len(batch) < maxBatch {
			tk := r.ticks[i]
			seq++
			tk.Time, tk.Seq = due(i), seq
			batch = append(batch, tk)
			i++
		}
		if len(batch) > 0 {
			if err := emit(batch); err != nil {
				return err
			}
		}
		if i == len(r.ticks) {
			if !r.opts.Loop {
				return nil
			}
			// The next pass starts one second of history after the last tick.
			passStart = r.clock.begin(due(i - 1).Add(time.Duration(float64(time.Second) / r.opts.Speed)))
			i = 0
		}
		if len(batch) == maxBatch {
			continue
		}
		timer.Reset(time.Until(due(i)))
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
	}
}

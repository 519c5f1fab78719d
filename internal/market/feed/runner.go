package feed

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider/eodhd"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider/replay"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider/sim"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// Providers.
const (
	Simulator = "simulator"
	Replay    = "replay"
	EODHD     = "eodhd"
)

// Config chooses and tunes the feed.
type Config struct {
	Provider   string   // simulator | replay | eodhd
	Speed      float64  // demo clock multiplier (simulator, replay)
	Seed       uint64   // simulator seed
	Symbols    []string // subset of instruments; empty = every active equity
	ReplayFile string   // tick CSV for the replay provider
	EODHDKey   string
	EODHDPoll  time.Duration
	BatchEvery time.Duration // 100–250 ms
	MaxBatch   int
	Channel    string            // Redis channel for tick batches
	Deployment string            // identity stamped on every batch (config DEPLOYMENT_ID)
	OnLeader   func(leader bool) // hears each change of leadership (the feed_leader gauge); nil to skip
}

// Runner is the feed side of one process: it competes for leadership and,
// while leader, runs the provider, the ingest, the roll-up and end-of-day
// finalisation.
type Runner struct {
	cfg     Config
	pool    *pgxpool.Pool
	rdb     *redis.Client
	cal     *asx.Calendar
	clock   provider.Clock
	log     *slog.Logger
	onFlush func(int)
}

// NewRunner wires a runner. clock is the session clock every process shares
// (see SharedClock).
func NewRunner(cfg Config, pool *pgxpool.Pool, rdb *redis.Client, cal *asx.Calendar, clock provider.Clock, log *slog.Logger, onFlush func(int)) *Runner {
	return &Runner{cfg: cfg, pool: pool, rdb: rdb, cal: cal, clock: clock, log: log, onFlush: onFlush}
}

// SharedClock returns the session clock for provider name. The simulator
// plays one ASX trading day per real date on a provider.DayClock whose
// session starts are stored in PostgreSQL (sim_sessions), so every machine,
// and a restarted one, shows the same simulated session and continues it.
// The replay's demo clock starts at an instant stored in Redis by the first
// process. onError hears failures to store a session start (may be nil).
func SharedClock(ctx context.Context, name string, pool *pgxpool.Pool, rdb *redis.Client, key string, speed float64, cal *asx.Calendar, onError func(error)) (provider.Clock, error) {
	switch name {
	case EODHD:
		return provider.RealClock{}, nil
	case Simulator:
		return provider.NewDayClock(NewSimSessions(pool), speed, cal, onError), nil
	}
	now := time.Now()
	if err := rdb.SetNX(ctx, key, now.UnixNano(), 0).Err(); err != nil {
		return nil, err
	}
	ns, err := rdb.Get(ctx, key).Int64()
	if err != nil {
		return nil, err
	}
	return provider.NewDemoClock(time.Unix(0, ns), speed, cal), nil
}

// Run competes for leadership until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	l := NewLeadership(r.pool, LockKey, 2*time.Second, time.Second, func(leader bool) {
		r.log.Info("feed leadership", slog.Bool("leader", leader), slog.String("provider", r.cfg.Provider))
		if r.cfg.OnLeader != nil {
			r.cfg.OnLeader(leader)
		}
	})
	return l.Run(ctx, r.lead, func(err error) { r.log.Error("feed", slog.String("error", err.Error())) })
}

// lead runs the provider and its consumers for one term of leadership. The
// term takes a new epoch while it holds the lock, so its batches outrank
// those of every earlier leader, including one that has lost the lock and
// does not know it yet.
func (r *Runner) lead(ctx context.Context) error {
	epoch, err := db.New(r.pool).NextFeedEpoch(ctx)
	if err != nil {
		return fmt.Errorf("feed epoch: %w", err)
	}
	r.log.Info("feed leading", slog.Int64("epoch", epoch), slog.String("deployment", r.cfg.Deployment))
	if r.cfg.Provider == Simulator {
		// A session cut short by the change of date gets its bar before the
		// simulator reads the previous closes.
		if err := FinaliseSim(ctx, db.New(r.pool), r.cal, r.clock.Session(r.clock.Now())); err != nil {
			r.log.Error("end-of-day finalisation", slog.String("error", err.Error()))
		}
	}
	p, err := r.provider(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := r.keepMinuteBars(ctx); err != nil {
		return err
	}
	ticks := make(chan []market.Tick, 64)
	src := hub.Source{Deployment: r.cfg.Deployment, Epoch: epoch}
	ingest := NewIngest(r.pool, r.rdb, r.cfg.Channel, src, r.cfg.BatchEvery, r.cfg.MaxBatch, r.onFlush)
	errs := make(chan error, 2)
	go func() { errs <- ingest.Run(ctx, ticks) }()
	go func() {
		defer close(ticks)
		errs <- p.Run(ctx, func(batch []market.Tick) error {
			select {
			case ticks <- batch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	switch {
	case !p.Clock().Simulated():
		go r.finaliseLoop(ctx, Finalise)
	case r.cfg.Provider == Simulator:
		go r.finaliseLoop(ctx, func(ctx context.Context, q *db.Queries, cal *asx.Calendar, now time.Time) error {
			return FinaliseSim(ctx, q, cal, r.clock.Session(now))
		})
	}
	err = <-errs
	cancel()
	<-errs
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// keepMinuteBars starts what keeps bars_1m current for this term: the
// roll-up when it is a table, the refresher when it is a continuous aggregate
// (whose TimescaleDB policy cannot be relied on: AggregateRefresher).
func (r *Runner) keepMinuteBars(ctx context.Context) error {
	kind, err := DetectMinuteBars(ctx, r.pool)
	if err != nil {
		return err
	}
	if kind == BarsAggregate {
		go NewAggregateRefresher(r.pool).Run(ctx, 30*time.Second,
			func(lag time.Duration) {
				r.log.Warn("bars_1m: the continuous aggregate's policy lags; refreshed it from the feed leader",
					slog.Duration("lag", lag))
			},
			func(err error) { r.log.Error("bars_1m refresh", slog.String("error", err.Error())) })
		return nil
	}
	go NewRollUp(r.pool).Run(ctx, 2*time.Second, func(err error) { r.log.Error("roll-up", slog.String("error", err.Error())) })
	return nil
}

// provider builds the configured provider from the database's instruments.
func (r *Runner) provider(ctx context.Context) (provider.Provider, error) {
	q := db.New(r.pool)
	seeds, err := q.ListQuoteSeeds(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, s := range r.cfg.Symbols {
		want[strings.ToUpper(s)] = true
	}
	first := time.Now().UnixMicro() // a new term continues above any earlier sequence
	switch r.cfg.Provider {
	case Simulator:
		// A restart mid-session continues the session: each instrument
		// resumes from the day's trades so far (see sim.Resume).
		session := r.clock.Session(r.clock.Now())
		day := asx.TradeDate(session)
		sess, _ := r.cal.SessionTimes(session)
		today, _, err := market.NewService(r.pool, r.cal).SessionQuotes(ctx, session)
		if err != nil {
			return nil, err
		}
		sofar := make(map[string]market.Quote, len(today))
		for _, q := range today {
			sofar[q.Code] = q
		}
		var insts []sim.Instrument
		for _, s := range seeds {
			if s.Kind != "equity" || s.LastClose <= 0 || (len(want) > 0 && !want[s.Code]) {
				continue
			}
			prev := s.LastClose
			if !s.LastDate.Before(day) && s.PriorClose > 0 {
				prev = s.PriorClose // the day's bar is already written
			}
			var resume *sim.Resume
			if q, ok := sofar[s.Code]; ok && q.Open > 0 {
				resume = &sim.Resume{Day: day, Last: q.Last, Closed: !session.Before(sess.Close)}
			}
			hist, err := q.ListRecentCloses(ctx, db.ListRecentClosesParams{Code: s.Code, Limit: 251})
			if err != nil {
				return nil, err
			}
			closes, vols := make([]float64, len(hist)), make([]int64, len(hist))
			for i, h := range hist {
				closes[i], vols[i] = h.Close, h.Volume
			}
			insts = append(insts, sim.Instrument{Code: s.Code, LastClose: prev,
				DailyVol: sim.EstimateVol(closes), AvgVolume: sim.EstimateAvgVolume(vols), Resume: resume})
		}
		return sim.New(insts, sim.Config{Seed: r.cfg.Seed, Speed: r.cfg.Speed, FirstSeq: first}, r.clock, r.cal)
	case Replay:
		f, err := os.Open(r.cfg.ReplayFile)
		if err != nil {
			return nil, fmt.Errorf("FEED_REPLAY_FILE: %w", err)
		}
		defer f.Close()
		ticks, err := replay.ReadTicksCSV(f)
		if err != nil {
			return nil, err
		}
		return replay.NewTicks(ticks, replay.TicksOptions{Speed: r.cfg.Speed, Loop: true, FirstSeq: first})
	case EODHD:
		var codes []string
		for _, s := range seeds {
			if s.Kind == "equity" && (len(want) == 0 || want[s.Code]) {
				codes = append(codes, s.Code)
			}
		}
		resume, err := r.resume(ctx, q)
		if err != nil {
			return nil, err
		}
		return eodhd.New(eodhd.Config{APIKey: r.cfg.EODHDKey, Symbols: codes, PollEvery: r.cfg.EODHDPoll, Logger: r.log,
			FirstSeq: first, Resume: resume})
	}
	return nil, fmt.Errorf("unknown feed provider %q", r.cfg.Provider)
}

// resume reads what the ticks table holds for today (Sydney), so a polling
// provider that starts mid-day does not record the day's volume twice.
func (r *Runner) resume(ctx context.Context, q *db.Queries) (map[string]eodhd.Resume, error) {
	syd := time.Now().In(asx.Sydney())
	rows, err := q.ListTickTotalsSince(ctx, time.Date(syd.Year(), syd.Month(), syd.Day(), 0, 0, 0, 0, asx.Sydney()))
	if err != nil {
		return nil, err
	}
	out := make(map[string]eodhd.Resume, len(rows))
	for _, row := range rows {
		out[row.Code] = eodhd.Resume{Close: row.Last, Volume: row.Volume, At: row.At}
	}
	return out, nil
}

// finaliseLoop writes each trading day's daily bars from the one-minute bars
// once the closing auction is over: a real provider's with Finalise, the
// simulator's as source sim with FinaliseSim (a replay's never enter the
// price history).
func (r *Runner) finaliseLoop(ctx context.Context, finalise func(context.Context, *db.Queries, *asx.Calendar, time.Time) error) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := finalise(ctx, db.New(r.pool), r.cal, now); err != nil && ctx.Err() == nil {
				r.log.Error("end-of-day finalisation", slog.String("error", err.Error()))
			}
		}
	}
}

// Finalise writes today's daily bars from the one-minute bars when now is
// after today's closing auction on a trading day. It is idempotent and never
// overwrites bars from the shipped history.
func Finalise(ctx context.Context, q *db.Queries, cal *asx.Calendar, now time.Time) error {
	sess, ok := cal.SessionTimes(now)
	if !ok || now.Before(sess.Close) {
		return nil
	}
	dayUTC := asx.Civil(sess.Date)
	bars, err := q.ListSessionBars(ctx, dayUTC)
	if err != nil {
		return err
	}
	for _, b := range bars {
		vol := b.Volume
		if err := q.UpsertFeedDailyBar(ctx, db.UpsertFeedDailyBarParams{Code: b.Code, Date: dayUTC,
			Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: &vol}); err != nil {
			return err
		}
	}
	// A corporate action dated today now applies to the bars before it.
	codes := make([]string, len(bars))
	for i, b := range bars {
		codes[i] = b.Code
	}
	_, err = corpaction.Recompute(ctx, q, codes)
	return err
}

// FinaliseSim writes the simulated sessions' daily bars, source sim, from the
// one-minute bars at session instant session: the current day's once its
// closing auction is over (rewritten on each call, so a late tick is kept),
// and the previous trading day's if a session of it was played but stopped
// before the close (the real date changed) and it has no bar yet. A real
// bar is never replaced.
func FinaliseSim(ctx context.Context, q *db.Queries, cal *asx.Calendar, session time.Time) error {
	if sess, ok := cal.SessionTimes(session); ok && !session.Before(sess.Close) {
		day := asx.Civil(sess.Date)
		bars, err := q.ListSessionBars(ctx, day)
		if err != nil {
			return err
		}
		for _, b := range bars {
			vol := b.Volume
			if err := q.UpsertSimDailyBar(ctx, db.UpsertSimDailyBarParams{Code: b.Code, Date: day,
				Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: &vol}); err != nil {
				return err
			}
		}
	}
	prev := asx.Civil(cal.PrevTradingDay(session))
	bars, err := q.ListSessionBars(ctx, prev)
	if err != nil || len(bars) == 0 {
		return err
	}
	var p db.InsertSimDailyBarsParams
	for _, b := range bars {
		p.Codes, p.Dates = append(p.Codes, b.Code), append(p.Dates, prev)
		p.Opens, p.Highs, p.Lows = append(p.Opens, b.Open), append(p.Highs, b.High), append(p.Lows, b.Low)
		p.Closes, p.Volumes = append(p.Closes, b.Close), append(p.Volumes, b.Volume)
	}
	_, err = q.InsertSimDailyBars(ctx, p)
	return err
}

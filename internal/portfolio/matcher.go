package portfolio

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
)

// MatcherLockKey is the advisory lock that elects the one process running the
// matcher (and the dividend, snapshot and metric jobs with it).
const MatcherLockKey int64 = 0x71_6c_69_62_6d_61_74_63 // "qlibmatc"

// freshFor is how old a quote may be for the timer to match against it.
const freshFor = 5 * time.Minute

// Matcher fills paper orders against the live feed. Every process feeds it
// tick batches (Observe, the hub's OnTicks callback) so that its view of the
// market is current, but it matches only while Lead runs, which the caller
// runs under leader election so that exactly one process matches.
type Matcher struct {
	svc     *Service
	log     *slog.Logger
	gauge   prometheus.Gauge
	updated prometheus.Gauge
	every   time.Duration
	jobs    time.Duration

	mu   sync.Mutex
	book map[string]View

	leading  atomic.Bool
	ticks    chan []market.Tick
	snapshot time.Time // the last session date snapshotted
}

// MatcherOptions tune a Matcher; zero values take the defaults.
type MatcherOptions struct {
	Every time.Duration    // timer for queued, expiring and resting orders (default 1 s)
	Jobs  time.Duration    // dividends, snapshots and the value gauge (default 30 s)
	Gauge prometheus.Gauge // portfolio_value_aud; nil to skip
	// Updated is set to the time of each successful valuation
	// (portfolio_value_updated_timestamp_seconds); nil to skip.
	Updated prometheus.Gauge
	Log     *slog.Logger
}

// NewMatcher returns a matcher over svc.
func NewMatcher(svc *Service, opts MatcherOptions) *Matcher {
	if opts.Every <= 0 {
		opts.Every = time.Second
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Matcher{svc: svc, log: opts.Log, gauge: opts.Gauge, updated: opts.Updated, every: opts.Every, jobs: opts.Jobs,
		book: map[string]View{}, ticks: make(chan []market.Tick, 256)}
}

// Observe takes a tick batch from the hub. It runs on the hub's goroutine:
// it updates the market view and, on the leader, hands the batch over
// without blocking (a dropped batch is caught up by the timer).
func (m *Matcher) Observe(batch []market.Tick) {
	m.remember(batch)
	if !m.leading.Load() {
		return
	}
	select {
	case m.ticks <- batch:
	default:
	}
}

func (m *Matcher) remember(batch []market.Tick) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range batch {
		m.book[t.Code] = viewOf(m.book[t.Code], t)
	}
}

func (m *Matcher) view(code string) (View, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.book[code]
	return v, ok
}

// Lead matches until ctx ends: tick batches as they come, the timer for the
// rest, and the periodic jobs. Errors are logged, not fatal.
func (m *Matcher) Lead(ctx context.Context) error {
	m.leading.Store(true)
	defer m.leading.Store(false)
	tick := time.NewTicker(m.every)
	defer tick.Stop()
	jobs := time.NewTicker(m.jobs)
	defer jobs.Stop()
	m.logErr("jobs", m.RunJobs(ctx))
	for {
		select {
		case <-ctx.Done():
			return nil
		case b := <-m.ticks:
			m.logErr("match", m.match(ctx, b))
		case <-tick.C:
			m.logErr("sweep", m.Sweep(ctx))
		case <-jobs.C:
			m.logErr("jobs", m.RunJobs(ctx))
		}
	}
}

func (m *Matcher) logErr(what string, err error) {
	if err != nil && err != context.Canceled {
		m.log.Error("paper matcher "+what, slog.String("error", err.Error()))
	}
}

// ProcessTicks updates the market view with batch and matches the working
// orders of its codes (tests drive the matcher through it).
func (m *Matcher) ProcessTicks(ctx context.Context, batch []market.Tick) error {
	m.remember(batch)
	return m.match(ctx, batch)
}

// match runs a batch's ticks, in order, against the working orders of their
// codes. Queued orders join on an auction print (their auction) or once
// their code is in continuous trading.
func (m *Matcher) match(ctx context.Context, batch []market.Tick) error {
	byCode := map[string][]market.Tick{}
	var codes []string
	for _, t := range batch {
		if t.Kind == market.QuoteOnly || t.Size <= 0 {
			continue
		}
		if _, ok := byCode[t.Code]; !ok {
			codes = append(codes, t.Code)
		}
		byCode[t.Code] = append(byCode[t.Code], t)
	}
	if len(codes) == 0 {
		return nil
	}
	rows, err := m.svc.q.ListActivePaperOrders(ctx, codes)
	if err != nil {
		return err
	}
	now := m.svc.sessionNow()
	var firstErr error
	for _, r := range rows {
		o := orderFrom(r)
		var v View
		for _, t := range byCode[o.Code] {
			v = viewOf(v, t)
			if o.State == Queued {
				if !v.Auction && m.svc.cal.PhaseAt(now, o.Code) != asx.Open {
					continue
				}
				if err := m.svc.activate(ctx, o.ID); err != nil {
					return err
				}
				o.State = Open
			}
			d := Decide(o, v)
			if d.Trigger && !d.Fill {
				if err := m.svc.trigger(ctx, o.ID); err != nil && firstErr == nil {
					firstErr = err
				}
				o.State = Triggered
				continue
			}
			if d.Fill {
				if _, err := m.svc.execute(ctx, o.ID, d.Price, now, d.Trigger); err != nil && firstErr == nil {
					firstErr = err
				}
				break
			}
		}
	}
	return firstErr
}

// Sweep handles what is not driven by a trade: working orders lapse at
// their expiry, queued orders open when their code enters continuous
// trading, and working orders fill against a fresh quote (a market order
// placed between trades, a limit the quote has crossed).
func (m *Matcher) Sweep(ctx context.Context) error {
	rows, err := m.svc.q.ListActivePaperOrders(ctx, []string{})
	if err != nil {
		return err
	}
	now := m.svc.sessionNow() // ticks carry session times
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, r := range rows {
		o := orderFrom(r)
		if !now.Before(o.ExpiresAt) {
			keep(m.svc.expire(ctx, o.ID))
			continue
		}
		if m.svc.cal.PhaseAt(now, o.Code) != asx.Open {
			continue
		}
		if o.State == Queued {
			keep(m.svc.activate(ctx, o.ID))
			o.State = Open
		}
		v, ok := m.view(o.Code)
		if !ok || now.Sub(v.Time) > freshFor {
			continue
		}
		v.Trade, v.Auction = false, false
		if d := Decide(o, v); d.Fill {
			_, err := m.svc.execute(ctx, o.ID, d.Price, now, false)
			keep(err)
		}
	}
	return firstErr
}

// RunJobs adjusts parcels for due splits and consolidations, pays due
// dividends, writes the daily snapshots once the session has closed and sets
// the portfolio_value_aud gauge.
func (m *Matcher) RunJobs(ctx context.Context) error {
	now := m.svc.sessionNow()
	if _, err := m.svc.ApplyCorporateActions(ctx, asx.TradeDate(now)); err != nil {
		return err
	}
	if _, err := m.svc.PayDividends(ctx, asx.TradeDate(now)); err != nil {
		return err
	}
	if sess, ok := m.svc.cal.SessionTimes(now); ok && !now.Before(sess.Close) && !m.snapshot.Equal(asx.TradeDate(now)) {
		if err := m.svc.SnapshotAll(ctx, asx.TradeDate(now)); err != nil {
			return err
		}
		m.snapshot = asx.TradeDate(now)
	}
	if m.gauge != nil {
		total, err := m.svc.TotalValue(ctx)
		if err != nil {
			return err
		}
		m.gauge.Set(total.InexactFloat64())
		if m.updated != nil {
			m.updated.SetToCurrentTime()
		}
	}
	return nil
}

// stateChange moves a working order to state to in its own transaction.
func (s *Service) stateChange(ctx context.Context, orderID int64, to State, reason string, when func(State) bool) error {
	head, err := s.q.GetPaperOrder(ctx, orderID)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if _, err := q.LockPaperAccount(ctx, head.AccountID); err != nil {
			return err
		}
		o, err := q.LockPaperOrder(ctx, orderID)
		if err != nil {
			return err
		}
		if !when(State(o.State)) {
			return nil
		}
		return transition(ctx, q, o, to, reason)
	})
}

func (s *Service) expire(ctx context.Context, id int64) error {
	return s.stateChange(ctx, id, Expired, "lapsed at its expiry", State.Active)
}

func (s *Service) activate(ctx context.Context, id int64) error {
	return s.stateChange(ctx, id, Open, "market open", func(st State) bool { return st == Queued })
}

func (s *Service) trigger(ctx context.Context, id int64) error {
	return s.stateChange(ctx, id, Triggered, "stop price traded", func(st State) bool { return st == Open })
}

// Package sim is Qlib Pro's built-in ASX market simulator, the default feed
// provider. Each instrument follows the ASX day by its session phase: quiet
// indicative quotes in pre-open, one opening auction print at its group's
// open, a random walk of trades on the price-step grid during continuous
// trading, indicative quotes in pre-close and one closing auction print.
//
// The core is the pure step function (*Sim).Step: given the same seed,
// instruments and sequence of session times, it returns the same ticks.
// Events are scheduled per instrument in session time, each instrument with
// its own random source, so the ticks do not depend on how finely the session
// times are sampled either, as long as the steps stay within the catch-up
// window (see Config.Speed).
package sim

import (
	"container/heap"
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// Name is the provider name of the simulator.
const Name = "simulator"

// Defaults for a zero Config and for instruments without history.
const (
	DefaultTickEvery = 2 * time.Second
	DefaultStepEvery = 100 * time.Millisecond
	DefaultAvgVolume = 100_000
)

// minMaxLag is the shortest catch-up window: events further behind the
// session time than this are skipped, not replayed (see advance).
const minMaxLag = 2 * time.Minute

// Instrument is one simulated security.
type Instrument struct {
	Code      string
	LastClose float64 // the latest real close: the first session's previous close
	DailyVol  float64 // stdev of daily log returns (see EstimateVol)
	AvgVolume int64   // average daily volume in shares (see EstimateAvgVolume)
	// Resume, when set, is how far this instrument's session had gone when
	// the simulator starts mid-session (a restart on the same day): the
	// session continues from it instead of starting the day again.
	Resume *Resume
}

// Resume is the state of an instrument's session so far.
type Resume struct {
	Day    time.Time // the session's Sydney date, midnight UTC (asx.Civil)
	Last   float64   // the day's latest trade; 0 when it has not traded
	Closed bool      // the closing auction is over
}

// Config tunes the simulator.
type Config struct {
	Seed uint64
	// Speed is the demo clock's multiplier, which the caller passes to
	// provider.NewDemoClock; the simulator only uses it to size the window
	// within which late events are still replayed (50 steps of session time).
	Speed float64
	// TickEvery is the mean session time between trades of one instrument
	// (default 2s); pre-open and pre-close quotes come ten times less often.
	TickEvery time.Duration
	// Symbols restricts the simulation to these codes; empty means all.
	Symbols []string
	// StepEvery is the real time between steps in Run (default 100ms).
	StepEvery time.Duration
	// FirstSeq is the Seq of the first tick (default 1). A feed that may be
	// restarted should pass something that grows across restarts, such as
	// the start time in Unix microseconds, because quotes ignore ticks whose
	// Seq is not above the last one seen.
	FirstSeq int64
}

// Sim is the market simulator. Step is not safe for concurrent use, nor
// while Run is running.
type Sim struct {
	clock     provider.Clock
	cal       *asx.Calendar
	stepEvery time.Duration
	maxLag    time.Duration
	insts     []*instrument
	queue     eventQueue
	seq       int64
	started   bool
	last      time.Time // the session time of the latest step
	seed      uint64
}

var _ provider.Provider = (*Sim)(nil)

// New returns a simulator of instruments (or the subset cfg.Symbols) whose
// phases follow clock.Session on calendar cal. A nil clock means
// provider.RealClock and a nil cal asx.DefaultCalendar(). Instruments need a
// code and a positive LastClose; a missing DailyVol or AvgVolume takes the
// default, and DailyVol is clamped like EstimateVol's result.
func New(instruments []Instrument, cfg Config, clock provider.Clock, cal *asx.Calendar) (*Sim, error) {
	if clock == nil {
		clock = provider.RealClock{}
	}
	if cal == nil {
		cal = asx.DefaultCalendar()
	}
	if cfg.TickEvery <= 0 {
		cfg.TickEvery = DefaultTickEvery
	}
	if cfg.StepEvery <= 0 {
		cfg.StepEvery = DefaultStepEvery
	}
	if cfg.FirstSeq <= 0 {
		cfg.FirstSeq = 1
	}
	speed := cfg.Speed
	if !(speed > 0) {
		speed = 1
	}
	chosen, err := choose(instruments, cfg.Symbols)
	if err != nil {
		return nil, err
	}
	s := &Sim{
		clock:     clock,
		cal:       cal,
		stepEvery: cfg.StepEvery,
		maxLag:    max(minMaxLag, time.Duration(50*float64(cfg.StepEvery)*min(speed, 1e6))),
		seq:       cfg.FirstSeq - 1,
		seed:      cfg.Seed,
	}
	for i, in := range chosen {
		s.insts = append(s.insts, newInstrument(i, in, cfg, cal))
	}
	return s, nil
}

// choose validates the instruments, keeps those in symbols (all if empty) and
// sorts them by code, so the output does not depend on the input order.
func choose(instruments []Instrument, symbols []string) ([]Instrument, error) {
	byCode := make(map[string]Instrument, len(instruments))
	for _, in := range instruments {
		in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
		if in.Code == "" {
			return nil, apperr.New(apperr.Invalid, "simulator: an instrument has no code")
		}
		if !(in.LastClose > 0) || in.LastClose > 1e7 {
			return nil, apperr.New(apperr.Invalid, "simulator: %s has no usable last close (%v)", in.Code, in.LastClose)
		}
		if _, dup := byCode[in.Code]; dup {
			return nil, apperr.New(apperr.Invalid, "simulator: %s is listed twice", in.Code)
		}
		byCode[in.Code] = in
	}
	var chosen []Instrument
	if len(symbols) == 0 {
		for _, in := range byCode {
			chosen = append(chosen, in)
		}
	} else {
		seen := make(map[string]bool, len(symbols))
		for _, sym := range symbols {
			sym = strings.ToUpper(strings.TrimSpace(sym))
			in, ok := byCode[sym]
			if !ok {
				return nil, apperr.New(apperr.Invalid, "simulator: symbol %q is not among the instruments", sym)
			}
			if !seen[sym] {
				seen[sym] = true
				chosen = append(chosen, in)
			}
		}
	}
	if len(chosen) == 0 {
		return nil, apperr.New(apperr.Invalid, "simulator: no instruments to simulate")
	}
	slices.SortFunc(chosen, func(a, b Instrument) int { return strings.Compare(a.Code, b.Code) })
	return chosen, nil
}

// Name returns "simulator".
func (s *Sim) Name() string { return Name }

// Clock returns the clock whose session time drives the simulator.
func (s *Sim) Clock() provider.Clock { return s.clock }

// Codes returns the simulated codes in order.
func (s *Sim) Codes() []string {
	codes := make([]string, len(s.insts))
	for i, in := range s.insts {
		codes[i] = in.code
	}
	return codes
}

// Run steps the simulator every StepEvery of real time at the clock's
// session time and emits each non-empty batch. It returns nil when ctx ends
// and the error of emit if emit fails.
func (s *Sim) Run(ctx context.Context, emit func([]market.Tick) error) error {
	return provider.RunSteps(ctx, s, s.clock, s.stepEvery, math.MaxInt, emit)
}

// Done reports false: a simulation runs until its context ends.
func (s *Sim) Done() bool { return false }

// Step advances the simulation to session time session and returns the ticks
// of every event scheduled up to it, in event order, each stamped with its
// session time: the simulated exchange's time, which every display shows.
// A session time earlier than the previous step's yields nothing.
func (s *Sim) Step(_, session time.Time) []market.Tick {
	var out []market.Tick
	s.advance(session, func(at time.Time, tk market.Tick) {
		tk.Time = at.UTC()
		out = append(out, tk)
	})
	return out
}

// advance runs every event due by session, in order of session time (ties by
// code), and hands each tick with its event time to emit. Events more than
// maxLag behind session (after the demo clock skips a night, or a stalled
// process) are skipped, except auctions, so a gap does not become a burst.
func (s *Sim) advance(session time.Time, emit func(at time.Time, tk market.Tick)) {
	if !s.started {
		s.started = true
		s.last = session
		for _, in := range s.insts {
			// The path depends on where the run starts, so a run that
			// starts again later in a session (or on another day) does not
			// replay the first one's moves.
			in.rng = newRand(s.seed^uint64(session.UnixNano()), in.code)
			in.next = session
		}
		s.queue = eventQueue(slices.Clone(s.insts))
		heap.Init(&s.queue)
	}
	if session.Before(s.last) {
		return
	}
	s.last = session
	floor := session.Add(-s.maxLag)
	for len(s.queue) > 0 {
		in := s.queue[0]
		if in.next.After(session) {
			break
		}
		at := in.next
		if tk, ok := in.event(at, floor); ok {
			s.seq++
			tk.Seq = s.seq
			emit(at, tk)
		}
		heap.Fix(&s.queue, 0)
	}
}

// eventQueue is a min-heap of instruments by next event time, then index.
type eventQueue []*instrument

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].next.Equal(q[j].next) {
		return q[i].next.Before(q[j].next)
	}
	return q[i].idx < q[j].idx
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*instrument)) }
func (q *eventQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// seedOf derives an instrument's stream from its code, so each instrument's
// path depends only on the seed and its own code, not on the others.
func seedOf(code string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	return h.Sum64()
}

func newRand(seed uint64, code string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seedOf(code)))
}

// Package portfolio runs paper trading in AUD on ASX rules: paper accounts,
// orders and their state machine, matching against the live feed, brokerage,
// an append-only double-entry ledger, parcels and holdings, valuation,
// dividends with franking credits, and the CGT report. It uses fees for
// brokerage and tax for parcel matching and the ATO method statement; it
// knows nothing of HTTP or templates.
//
// Concurrency: every write that moves cash or shares locks the paper account
// row first (SELECT … FOR UPDATE), so writes to one account are serialised;
// the account's cash balance row carries CHECK (cash >= 0) and parcels CHECK
// (quantity >= 0), and a deferred trigger refuses a commit whose ledger
// transaction does not balance or whose cash book disagrees with the row.
package portfolio

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// Rates of the tax figures shown to individuals.
var (
	// CompanyTaxRate is the rate franking credits are worked out at (30 %).
	CompanyTaxRate = decimal.RequireFromString("0.30")
	// DiscountRate is the CGT discount for individuals (50 %).
	DiscountRate = decimal.RequireFromString("0.5")
	// DefaultStartingBalance is a new paper account's cash: $100,000.
	DefaultStartingBalance = decimal.NewFromInt(100_000)
)

// Quotes gives the latest quote of a code; the process's quote hub provides it.
type Quotes interface {
	Quote(code string) (market.Quote, bool)
}

// Service is the paper-trading domain over PostgreSQL.
type Service struct {
	pool   *pgxpool.Pool
	q      *db.Queries
	quotes Quotes
	clock  provider.Clock
	cal    *asx.Calendar
}

// NewService returns the service. clock decides the ASX session phase (the
// demo clock makes a simulated session); a nil cal is the default calendar.
func NewService(pool *pgxpool.Pool, quotes Quotes, clock provider.Clock, cal *asx.Calendar) *Service {
	if cal == nil {
		cal = asx.DefaultCalendar()
	}
	if clock == nil {
		clock = provider.RealClock{}
	}
	return &Service{pool: pool, q: db.New(pool), quotes: quotes, clock: clock, cal: cal}
}

// sessionNow is the instant that decides the ASX phase now.
func (s *Service) sessionNow() time.Time { return s.clock.Session(s.clock.Now()) }

// SessionTime returns the session instant at which a stored real instant
// (an order's creation, a fill, a ledger entry) happened: with the demo feed
// every displayed time is the simulated session's (provider.SessionAt).
func (s *Service) SessionTime(t time.Time) time.Time { return provider.SessionAt(s.clock, t) }

// Phase is code's ASX session phase now (by the session clock).
func (s *Service) Phase(code string) asx.Phase { return s.cal.PhaseAt(s.sessionNow(), code) }

// TradeDate is the trade date an order filled now would have: the session's
// Sydney date, as midnight UTC.
func (s *Service) TradeDate() time.Time { return asx.TradeDate(s.sessionNow()) }

// price returns a market price (float64 on the wire) as a decimal with at
// most three places, the finest ASX step.
func price(f float64) decimal.Decimal {
	if f <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromFloat(f).Round(3)
}

// notFound maps pgx's no-rows to an apperr NotFound naming what.
func notFound(err error, what string) error {
	if db.IsNotFound(err) {
		return apperr.New(apperr.NotFound, "%s not found.", what)
	}
	return err
}

// money rounds to cents, halves away from zero.
func money(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

package portfolio_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// quotes is a quote source the test sets.
type quotes struct {
	mu sync.Mutex
	m  map[string]market.Quote
}

func (q *quotes) Quote(code string) (market.Quote, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	v, ok := q.m[code]
	return v, ok
}

func (q *quotes) set(code string, last, bid, ask float64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.m[code] = market.Quote{Code: code, Last: last, Bid: bid, Ask: ask, PrevClose: last}
}

// env is a paper-trading service on a fresh seeded database with a manual
// clock and quotes the test controls.
type env struct {
	t       *testing.T
	pool    *pgxpool.Pool
	svc     *portfolio.Service
	matcher *portfolio.Matcher
	clock   *provider.ManualClock
	quotes  *quotes
	seq     atomic.Int64
}

func newEnv(t *testing.T, at string) *env {
	t.Helper()
	e := &env{t: t, pool: testdb.New(t), clock: provider.NewManualClock(testenv.TimeIn(t, at, asx.Sydney())), quotes: &quotes{m: map[string]market.Quote{}}}
	e.svc = portfolio.NewService(e.pool, e.quotes, e.clock, nil)
	e.matcher = portfolio.NewMatcher(e.svc, portfolio.MatcherOptions{})
	return e
}

var userSeq atomic.Int64

// mustUser inserts a user and returns its id.
func (e *env) mustUser() int64 {
	e.t.Helper()
	n := userSeq.Add(1)
	var id int64
	err := e.pool.QueryRow(context.Background(), `INSERT INTO users (pseudonym, email, display_name, password_hash)
		VALUES ($1, $2, 'Test', 'x') RETURNING id`, fmt.Sprintf("p%d-%d", n, time.Now().UnixNano()),
		fmt.Sprintf("u%d-%d@example.com", n, time.Now().UnixNano())).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) mustAccount(user int64, balance, method string) portfolio.Account {
	e.t.Helper()
	a, err := e.svc.CreateAccount(context.Background(), user, portfolio.NewAccount{
		Name: fmt.Sprintf("acct-%d", e.seq.Add(1)), StartingBalance: balance, Method: method})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) at(s string) { e.clock.Set(testenv.TimeIn(e.t, s, asx.Sydney())) }

// tick is one trade print of code at px with the quote at px either side.
func (e *env) tick(code string, px float64, kind market.TickKind) market.Tick {
	return market.Tick{Time: e.clock.Now(), Code: code, Price: px, Size: 100, Bid: px, Ask: px,
		Seq: e.seq.Add(1), Kind: kind}
}

func (e *env) mustProcess(ticks ...market.Tick) {
	e.t.Helper()
	if err := e.matcher.ProcessTicks(context.Background(), ticks); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) mustPlace(user int64, in portfolio.OrderInput) portfolio.Order {
	e.t.Helper()
	o, _, err := e.svc.PlaceOrder(context.Background(), user, in, "")
	if err != nil {
		e.t.Fatalf("place %+v: %v", in, err)
	}
	return o
}

// mustTrade places a market order on date (11:00 Sydney) and fills it at px.
func (e *env) mustTrade(user int64, a portfolio.Account, side, code, qty string, px float64, date string) portfolio.Order {
	e.t.Helper()
	e.at(date + " 11:00")
	e.quotes.set(code, px, px, px)
	o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: code, Side: side, Quantity: qty})
	e.mustProcess(e.tick(code, px, market.Trade))
	got := e.mustOrder(user, o.ID)
	if got.State != portfolio.Filled {
		e.t.Fatalf("%s %s %s on %s: state %s (%s)", side, qty, code, date, got.State, got.Reason)
	}
	return got
}

func (e *env) mustOrder(user, id int64) portfolio.Order {
	e.t.Helper()
	o, err := e.svc.Order(context.Background(), user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *env) mustAccountNow(user, id int64) portfolio.Account {
	e.t.Helper()
	a, err := e.svc.Account(context.Background(), user, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// mustBalanced checks the ledger invariants of the whole database: every
// transaction sums to zero, every account's cash row equals its cash book
// and is not negative, and no parcel is negative.
func (e *env) mustBalanced() {
	e.t.Helper()
	ctx := context.Background()
	var unbalanced, disagree, negative int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries
		GROUP BY transaction_id HAVING sum(amount) <> 0) x`).Scan(&unbalanced); err != nil {
		e.t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM paper_accounts a WHERE a.cash <> coalesce((SELECT sum(amount)
		FROM ledger_entries e WHERE e.account_id = a.id AND e.generation = a.generation AND e.book = 'cash'), 0)`).Scan(&disagree); err != nil {
		e.t.Fatal(err)
	}
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM paper_accounts WHERE cash < 0)
		+ (SELECT count(*) FROM paper_parcels WHERE quantity < 0)`).Scan(&negative); err != nil {
		e.t.Fatal(err)
	}
	if unbalanced+disagree+negative > 0 {
		e.t.Errorf("ledger: %d unbalanced transactions, %d cash rows disagreeing, %d negative balances", unbalanced, disagree, negative)
	}
}

func assertDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(testenv.Decimal(t, want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// assertCode checks err is an *apperr.Error with code and (if set) a message
// for field.
func assertCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.Code != code {
		t.Errorf("code = %s, want %s (%s)", ae.Code, code, ae.Message)
	}
	if field != "" && ae.Field != field && ae.Fields[field] == "" {
		t.Errorf("no message for field %s: %+v", field, ae)
	}
}

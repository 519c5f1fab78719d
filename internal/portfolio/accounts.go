package portfolio

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/decimaltext"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// DefaultAccountName names the account every user gets on first visit.
const DefaultAccountName = "Paper account"

// Account is a paper trading account in AUD.
type Account struct {
	ID              int64
	UserID          int64
	Name            string
	StartingBalance decimal.Decimal
	FeeSchedule     string
	Method          tax.Method
	Generation      int32
	Cash            decimal.Decimal
	IsDefault       bool
	CreatedAt       time.Time
	ResetAt         *time.Time
}

func accountFrom(a db.PaperAccount) Account {
	return Account{ID: a.ID, UserID: a.UserID, Name: a.Name, StartingBalance: a.StartingBalance,
		FeeSchedule: a.FeeSchedule, Method: tax.Method(a.ParcelMethod), Generation: a.Generation,
		Cash: a.Cash, IsDefault: a.IsDefault, CreatedAt: a.CreatedAt, ResetAt: a.ResetAt}
}

// Schedule returns the account's brokerage schedule.
func (a Account) Schedule() fees.Schedule {
	s, err := fees.Named(a.FeeSchedule)
	if err != nil {
		s, _ = fees.Named(fees.CommSec)
	}
	return s
}

// NewAccount is the form for a new paper account. Empty fields take the
// defaults: $100,000, CommSec brokerage, FIFO parcels.
type NewAccount struct {
	Name            string
	StartingBalance string
	FeeSchedule     string
	Method          string
}

// AccountMethods are the parcel methods an account may default to (specific
// parcels are picked per sale, in the sell ticket).
func AccountMethods() []tax.Method { return []tax.Method{tax.FIFO, tax.LIFO, tax.MinGain, tax.MaxGain} }

var maxBalance = decimal.NewFromInt(100_000_000)

// parseBalance reads a starting balance in dollars ("" = the default).
func parseBalance(raw string) (decimal.Decimal, error) {
	raw = strings.TrimSpace(strings.NewReplacer(",", "", "$", "").Replace(raw))
	if raw == "" {
		return DefaultStartingBalance, nil
	}
	d, err := decimaltext.Parse(raw)
	switch {
	case errors.Is(err, decimaltext.ErrTooLong):
		return decimal.Zero, apperr.FieldError("starting_balance", "The starting balance is too long: enter at most %d characters, such as 100000.", decimaltext.MaxLen)
	case err != nil:
		return decimal.Zero, apperr.FieldError("starting_balance", "Enter the starting balance in dollars, such as 100000.")
	case !d.IsPositive() || d.GreaterThan(maxBalance):
		return decimal.Zero, apperr.FieldError("starting_balance", "The starting balance must be between $0.01 and $100,000,000.")
	case !d.Equal(d.Round(2)):
		return decimal.Zero, apperr.FieldError("starting_balance", "The starting balance is in dollars and cents (at most 2 decimals).")
	}
	return d, nil
}

func (n NewAccount) validate() (db.CreatePaperAccountParams, error) {
	p := db.CreatePaperAccountParams{Name: strings.TrimSpace(n.Name)}
	errs := map[string]string{}
	if p.Name == "" || len([]rune(p.Name)) > 60 {
		errs["name"] = "Name the account (1 to 60 characters)."
	}
	var err error
	if p.StartingBalance, err = parseBalance(n.StartingBalance); err != nil {
		errs["starting_balance"] = apperr.MessageOf(err)
	}
	p.FeeSchedule = strings.ToLower(strings.TrimSpace(n.FeeSchedule))
	if p.FeeSchedule == "" {
		p.FeeSchedule = fees.CommSec
	}
	if _, err := fees.Named(p.FeeSchedule); err != nil {
		errs["fee_schedule"] = "Choose a brokerage schedule: " + strings.Join(fees.Names(), ", ") + "."
	}
	m, err := tax.ParseMethod(n.Method)
	if err != nil || m == tax.Specific {
		errs["method"] = "Choose a parcel method: fifo, lifo, min_gain or max_gain."
	}
	p.ParcelMethod = string(m)
	if len(errs) > 0 {
		return p, &apperr.Error{Code: apperr.Invalid, Message: "Check the account details.", Fields: errs}
	}
	return p, nil
}

// CreateAccount opens a paper account for userID with its opening deposit.
func (s *Service) CreateAccount(ctx context.Context, userID int64, in NewAccount) (Account, error) {
	p, err := in.validate()
	if err != nil {
		return Account{}, err
	}
	p.UserID = userID
	var out Account
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.CreatePaperAccount(ctx, p)
		if err != nil {
			if db.IsUniqueViolation(err, "") {
				return apperr.FieldError("name", "You already have an account called %q.", p.Name)
			}
			return err
		}
		out = accountFrom(row)
		return s.openingDeposit(ctx, q, &out)
	})
	return out, err
}

// openingDeposit posts the starting balance of a's current generation and
// its first value snapshot.
func (s *Service) openingDeposit(ctx context.Context, q *db.Queries, a *Account) error {
	if _, err := post(ctx, q, a, kindDeposit, "Opening balance", nil, nil,
		line(bookCash, a.StartingBalance), line(bookEquity, a.StartingBalance.Neg())); err != nil {
		return err
	}
	return q.UpsertSnapshot(ctx, db.UpsertSnapshotParams{AccountID: a.ID, Generation: a.Generation,
		Date: asx.TradeDate(s.sessionNow()), Cash: a.StartingBalance, MarketValue: decimal.Zero,
		Total: a.StartingBalance, Flow: a.StartingBalance})
}

// EnsureAccount returns userID's default paper account, creating it ($100,000,
// CommSec, FIFO) on first use. Safe to call concurrently.
func EnsureAccount(ctx context.Context, pool *pgxpool.Pool, userID int64) (Account, error) {
	return NewService(pool, nil, nil, nil).DefaultAccount(ctx, userID)
}

// DefaultAccount returns the user's default account, creating it if needed.
func (s *Service) DefaultAccount(ctx context.Context, userID int64) (Account, error) {
	row, err := s.q.GetDefaultPaperAccount(ctx, userID)
	if err == nil {
		return accountFrom(row), nil
	}
	if !db.IsNotFound(err) {
		return Account{}, err
	}
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.CreateDefaultPaperAccount(ctx, db.CreateDefaultPaperAccountParams{
			UserID: userID, Name: DefaultAccountName, StartingBalance: DefaultStartingBalance})
		if db.IsNotFound(err) {
			return nil // created concurrently, or the name is taken
		}
		if err != nil {
			return err
		}
		a := accountFrom(row)
		return s.openingDeposit(ctx, q, &a)
	})
	if err != nil {
		return Account{}, err
	}
	row, err = s.q.GetDefaultPaperAccount(ctx, userID)
	if db.IsNotFound(err) {
		// The user named another account "Paper account": make that one default-less
		// users still trade, using their first account.
		rows, lerr := s.q.ListPaperAccounts(ctx, userID)
		if lerr != nil || len(rows) == 0 {
			return Account{}, apperr.New(apperr.Conflict, "Could not create your paper account.")
		}
		return accountFrom(rows[0]), nil
	}
	return accountFrom(row), err
}

// Account returns the user's account id; another user's id is NotFound.
// id 0 means the default account.
func (s *Service) Account(ctx context.Context, userID, id int64) (Account, error) {
	if id == 0 {
		return s.DefaultAccount(ctx, userID)
	}
	row, err := s.q.GetPaperAccount(ctx, db.GetPaperAccountParams{ID: id, UserID: userID})
	if err != nil {
		return Account{}, notFound(err, "Paper account")
	}
	return accountFrom(row), nil
}

// Accounts lists the user's accounts, the default first, creating the
// default on first use.
func (s *Service) Accounts(ctx context.Context, userID int64) ([]Account, error) {
	if _, err := s.DefaultAccount(ctx, userID); err != nil {
		return nil, err
	}
	rows, err := s.q.ListPaperAccounts(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = accountFrom(r)
	}
	return out, nil
}

// ResetAccount starts the account again with startingBalance ("" keeps the
// current one): open orders are cancelled and a new generation begins with
// an opening deposit. The earlier generation's ledger, orders and parcels are
// kept unchanged; pages and reports show the current generation.
func (s *Service) ResetAccount(ctx context.Context, userID, id int64, startingBalance string) (Account, error) {
	a, err := s.Account(ctx, userID, id)
	if err != nil {
		return Account{}, err
	}
	balance := a.StartingBalance
	if strings.TrimSpace(startingBalance) != "" {
		if balance, err = parseBalance(startingBalance); err != nil {
			return Account{}, err
		}
	}
	var out Account
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if _, err := q.LockPaperAccount(ctx, a.ID); err != nil {
			return err
		}
		active, err := q.ListActiveOrdersForAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, o := range active {
			if err := transition(ctx, q, o, Cancelled, "account reset"); err != nil {
				return err
			}
		}
		row, err := q.ResetPaperAccount(ctx, db.ResetPaperAccountParams{ID: a.ID, StartingBalance: balance})
		if err != nil {
			return err
		}
		out = accountFrom(row)
		return s.openingDeposit(ctx, q, &out)
	})
	return out, err
}

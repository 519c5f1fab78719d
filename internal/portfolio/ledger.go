package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Ledger books. Debits are positive amounts, credits negative; the lines of
// every transaction sum to zero.
const (
	bookCash      = "cash"         // asset
	bookHoldings  = "holdings"     // asset, at cost base (brokerage included), per code with shares
	bookEquity    = "equity"       // money paid in
	bookRealised  = "realised_pnl" // gains (credit) and losses (debit) on sales
	bookDividends = "dividends"    // dividend income (credit)
	// Franking credits: a non-cash pair beside each franked dividend — the
	// tax offset (debit) and the gross-up counted as assessable income (credit).
	bookFrankingCredits = "franking_credits"
	bookFrankingIncome  = "franking_income"
)

// Transaction kinds.
const (
	kindDeposit  = "deposit"
	kindBuy      = "buy"
	kindSell     = "sell"
	kindDividend = "dividend"
	kindReversal = "reversal"
)

// Line is one ledger line: a debit (positive) or credit (negative) to a book;
// holdings lines also move Quantity shares of Code.
type Line struct {
	Book     string
	Code     string
	Quantity decimal.Decimal
	Amount   decimal.Decimal
}

func line(book string, amount decimal.Decimal) Line { return Line{Book: book, Amount: amount} }

func holdingsLine(code string, quantity, amount decimal.Decimal) Line {
	return Line{Book: bookHoldings, Code: code, Quantity: quantity, Amount: amount}
}

var errInsufficientCash = apperr.New(apperr.Unprocessable, "Insufficient cash: paper accounts cannot go below $0.00 (no margin).")

// post writes one balanced ledger transaction for account a and moves a's
// cash balance row by the cash lines in the same database transaction. The
// caller holds the account row lock. a.Cash is updated.
func post(ctx context.Context, q *db.Queries, a *Account, kind, memo string, fillID, reverses *int64, lines ...Line) (int64, error) {
	sum, cash := decimal.Zero, decimal.Zero
	for _, l := range lines {
		if !l.Amount.Equal(money(l.Amount)) {
			return 0, fmt.Errorf("ledger: %s line %s is not in cents", l.Book, l.Amount)
		}
		sum = sum.Add(l.Amount)
		if l.Book == bookCash {
			cash = cash.Add(l.Amount)
		}
	}
	if !sum.IsZero() {
		return 0, fmt.Errorf("ledger: %s transaction does not balance (off by %s)", kind, sum)
	}
	tx, err := q.InsertLedgerTransaction(ctx, db.InsertLedgerTransactionParams{
		AccountID: a.ID, Generation: a.Generation, Kind: kind, Memo: memo, FillID: fillID, ReversesID: reverses})
	if err != nil {
		return 0, err
	}
	for _, l := range lines {
		var code *string
		if l.Book == bookHoldings {
			c := l.Code
			code = &c
		}
		if err := q.InsertLedgerEntry(ctx, db.InsertLedgerEntryParams{TransactionID: tx.ID, AccountID: a.ID,
			Generation: a.Generation, Book: l.Book, Code: code, Quantity: l.Quantity, Amount: l.Amount}); err != nil {
			return 0, err
		}
	}
	if !cash.IsZero() {
		c, err := q.AddPaperAccountCash(ctx, db.AddPaperAccountCashParams{ID: a.ID, Delta: cash})
		if err != nil {
			if db.IsCheckViolation(err, "") {
				return 0, errInsufficientCash
			}
			return 0, err
		}
		a.Cash = c
	}
	return tx.ID, nil
}

// Reverse posts the reversal of ledger transaction txID of the user's
// account: the same lines with opposite signs. Ledger rows are never
// changed; a transaction can be reversed once, and a reversal cannot be
// reversed. Holdings cannot be reversed here (they belong to parcels and
// fills): only cash, equity and income transactions.
func (s *Service) Reverse(ctx context.Context, userID, txID int64, memo string) (int64, error) {
	var id int64
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		t, err := q.GetLedgerTransaction(ctx, txID)
		if err != nil {
			return notFound(err, "Ledger transaction")
		}
		a, err := s.Account(ctx, userID, t.AccountID)
		if err != nil {
			return apperr.New(apperr.NotFound, "Ledger transaction not found.")
		}
		row, err := q.LockPaperAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		a = accountFrom(row)
		if t.Generation != a.Generation {
			return apperr.New(apperr.Conflict, "That transaction belongs to the account before its reset.")
		}
		if t.Kind == kindReversal {
			return apperr.New(apperr.Conflict, "A reversal cannot itself be reversed; post a new transaction.")
		}
		entries, err := q.ListLedgerEntriesForTransaction(ctx, t.ID)
		if err != nil {
			return err
		}
		lines := make([]Line, 0, len(entries))
		for _, e := range entries {
			if e.Book == bookHoldings {
				return apperr.New(apperr.Conflict, "Trades are corrected by trading, not by reversing their ledger entries.")
			}
			lines = append(lines, line(e.Book, e.Amount.Neg()))
		}
		if memo == "" {
			memo = "Reversal of #" + fmt.Sprint(t.ID) + ": " + t.Memo
		}
		id, err = post(ctx, q, &a, kindReversal, memo, nil, &t.ID, lines...)
		if db.IsUniqueViolation(err, "") {
			return apperr.New(apperr.Conflict, "That transaction is already reversed.")
		}
		return err
	})
	return id, err
}

// LedgerLine is one line of a ledger transaction as the ledger page lists it.
type LedgerLine struct {
	Book     string
	Code     string
	Quantity decimal.Decimal
	Amount   decimal.Decimal // debit positive
}

// LedgerTransaction is a balanced group of lines.
type LedgerTransaction struct {
	ID         int64
	Kind       string
	Memo       string
	At         time.Time
	ReversesID *int64
	Lines      []LedgerLine
}

// CashChange is the transaction's net effect on cash.
func (t LedgerTransaction) CashChange() decimal.Decimal {
	d := decimal.Zero
	for _, l := range t.Lines {
		if l.Book == bookCash {
			d = d.Add(l.Amount)
		}
	}
	return d
}

// Ledger lists up to limit transactions of the account's current generation,
// newest first, before transaction id before (0: from the newest).
func (s *Service) Ledger(ctx context.Context, a Account, before int64, limit int) ([]LedgerTransaction, error) {
	rows, err := s.q.ListLedger(ctx, db.ListLedgerParams{AccountID: a.ID, Generation: a.Generation,
		BeforeID: before, MaxRows: int32(limit)})
	if err != nil {
		return nil, err
	}
	var out []LedgerTransaction
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.TransactionID {
			out = append(out, LedgerTransaction{ID: r.TransactionID, Kind: r.Kind, Memo: r.Memo, At: r.CreatedAt, ReversesID: r.ReversesID})
		}
		t := &out[len(out)-1]
		t.Lines = append(t.Lines, LedgerLine{Book: r.Book, Code: r.Code, Quantity: r.Quantity, Amount: r.Amount})
	}
	return out, nil
}

// Balances are the account's book balances (debit positive) for its current
// generation; their sum is always zero.
type Balances map[string]decimal.Decimal

// Balances returns the account's ledger balances by book.
func (s *Service) Balances(ctx context.Context, a Account) (Balances, error) {
	rows, err := s.q.LedgerBalances(ctx, db.LedgerBalancesParams{AccountID: a.ID, Generation: a.Generation})
	if err != nil {
		return nil, err
	}
	b := Balances{}
	for _, r := range rows {
		b[r.Book] = r.Amount
	}
	return b, nil
}

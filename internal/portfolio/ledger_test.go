package portfolio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

// TestFrankingCredits: $10,000 of dividends 50 % franked at 30 % carry a
// credit of $2,142.86. Holders at the ex-date are paid once on the pay date;
// a buyer on the ex-date is not.
func TestFrankingCredits(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	holder := e.mustAccount(user, "500000", "")
	late := e.mustAccount(user, "500000", "")
	e.mustTrade(user, holder, "buy", "BHP", "10000", 40, "2025-08-01")
	e.mustTrade(user, late, "buy", "BHP", "100", 40, "2025-09-04") // on the ex-date: no dividend
	n, err := e.svc.ImportDividends(context.Background(), strings.NewReader(
		"code,ex_date,pay_date,amount,franking_pct\nBHP,2025-09-04,2025-09-25,1.00,50\nCBA,2025-08-20,2025-09-30,2.60,100\n"))
	if err != nil || n.Lines != 2 {
		t.Fatalf("import: %+v, %v", n, err)
	}
	before := e.mustAccountNow(user, holder.ID).Cash
	if n, err := e.svc.PayDividends(context.Background(), time.Date(2025, 9, 24, 0, 0, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("before the pay date: %d credits, %v", n, err)
	}
	for range 2 { // idempotent
		if _, err := e.svc.PayDividends(context.Background(), time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	after := e.mustAccountNow(user, holder.ID)
	assertDec(t, "cash received", after.Cash.Sub(before), "10000")
	inc, err := e.svc.Income(context.Background(), after, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Dividends) != 1 {
		t.Fatalf("dividends %+v", inc.Dividends)
	}
	assertDec(t, "franking credit", inc.Credits, "2142.86")
	assertDec(t, "grossed-up", inc.GrossedUp, "12142.86")
	assertDec(t, "franked", inc.Franked, "5000")
	assertDec(t, "unfranked", inc.Unfranked, "5000")
	lateInc, err := e.svc.Income(context.Background(), e.mustAccountNow(user, late.ID), 2026)
	if err != nil || len(lateInc.Dividends) != 0 {
		t.Errorf("bought on the ex-date yet paid: %+v %v", lateInc.Dividends, err)
	}
	v, err := e.svc.Value(context.Background(), after)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "dividend income", v.Dividends, "10000")
	e.mustBalanced()

	t.Run("paid events cannot change", func(t *testing.T) {
		_, err := e.svc.ImportDividends(context.Background(), strings.NewReader("code,ex_date,pay_date,amount,franking_pct\nBHP,2025-09-04,2025-09-25,1.10,50\n"))
		assertCode(t, err, apperr.Invalid, "csv")
	})
	t.Run("bad lines name their line", func(t *testing.T) {
		_, err := e.svc.ImportDividends(context.Background(), strings.NewReader(
			"code,ex_date,pay_date,amount,franking_pct\nZZZZ,2025-09-04,2025-09-25,1,50\nBHP,2025-13-01,2025-09-25,1,50\nBHP,2025-09-04,2025-09-25,1,150\n"))
		msg := apperr.MessageOf(err)
		for _, want := range []string{"line 2: unknown code ZZZZ", "line 3: ex_date", "line 4: franking_pct"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
	})
}

// TestLedgerIsAppendOnly: ledger rows refuse UPDATE and DELETE; a correction
// is a reversal, and a transaction is reversed once.
func TestLedgerIsAppendOnly(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "10", 45, "2026-11-24")
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE ledger_entries SET amount = amount + 1`,
		`DELETE FROM ledger_entries`,
		`UPDATE ledger_transactions SET memo = 'x'`,
		`DELETE FROM ledger_transactions`,
		`TRUNCATE ledger_entries`,
	} {
		if _, err := e.pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", stmt, err)
		}
	}
	// An unbalanced transaction cannot commit.
	_, err := e.pool.Exec(ctx, `WITH t AS (INSERT INTO ledger_transactions (account_id, generation, kind, memo)
		VALUES ($1, 1, 'deposit', 'bad') RETURNING id)
		INSERT INTO ledger_entries (transaction_id, account_id, generation, book, amount) SELECT id, $1, 1, 'equity', -5 FROM t`, a.ID)
	if err == nil || !strings.Contains(err.Error(), "does not balance") {
		t.Errorf("unbalanced transaction: %v", err)
	}

	txs, err := e.svc.Ledger(ctx, e.mustAccountNow(user, a.ID), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 2 || txs[0].Memo != "Buy 10 BHP @ 45.00, brokerage $5.00" || txs[1].Memo != "Opening balance" {
		t.Fatalf("ledger %+v", txs)
	}
	if _, err := e.svc.Reverse(ctx, user, txs[0].ID, ""); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("reversing a trade: %v, want conflict", err)
	}
	other := e.mustUser()
	if _, err := e.svc.Reverse(ctx, other, txs[1].ID, ""); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another user's transaction: %v, want not found", err)
	}
	// Reversing the opening deposit would overdraw the cash spent on BHP.
	if _, err := e.svc.Reverse(ctx, user, txs[1].ID, ""); apperr.CodeOf(err) != apperr.Unprocessable {
		t.Errorf("reversal that overdraws: %v, want unprocessable", err)
	}
	e.mustBalanced()
}

func TestReversalOfADividend(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "100", 40, "2025-08-01")
	if _, err := e.svc.ImportDividends(context.Background(), strings.NewReader("code,ex_date,pay_date,amount,franking_pct\nBHP,2025-09-04,2025-09-25,1.00,100\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PayDividends(context.Background(), time.Date(2025, 9, 25, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	txs, _ := e.svc.Ledger(ctx, e.mustAccountNow(user, a.ID), 0, 1)
	cash := e.mustAccountNow(user, a.ID).Cash
	if _, err := e.svc.Reverse(ctx, user, txs[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	assertDec(t, "cash after the reversal", cash.Sub(e.mustAccountNow(user, a.ID).Cash), "100")
	if _, err := e.svc.Reverse(ctx, user, txs[0].ID, ""); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second reversal: %v, want conflict", err)
	}
	bal, err := e.svc.Balances(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "dividends book", bal["dividends"], "0")
	e.mustBalanced()
}

func TestResetStartsANewGeneration(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "10", 45, "2026-11-24")
	open := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "1", LimitPrice: "1.00"})
	r, err := e.svc.ResetAccount(context.Background(), user, a.ID, "50000")
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "cash", r.Cash, "50000")
	if r.Generation != 2 {
		t.Errorf("generation %d", r.Generation)
	}
	if got := e.mustOrder(user, open.ID); got.State != portfolio.Cancelled {
		t.Errorf("working order after reset: %s", got.State)
	}
	v, err := e.svc.Value(context.Background(), r)
	if err != nil || len(v.Holdings) != 0 || !v.Total.Equal(r.Cash) {
		t.Errorf("after reset: %+v %v", v.Holdings, err)
	}
	var rows int
	_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger_transactions WHERE account_id = $1`, a.ID).Scan(&rows)
	if rows != 3 {
		t.Errorf("%d ledger transactions, want the 2 before the reset kept and 1 new", rows)
	}
	if _, err := e.svc.ResetAccount(context.Background(), e.mustUser(), a.ID, ""); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another user's reset: %v", err)
	}
	e.mustBalanced()
}

func TestEnsureAccount(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	done := make(chan portfolio.Account, 5)
	for range 5 {
		go func() {
			a, err := portfolio.EnsureAccount(context.Background(), e.pool, user)
			if err != nil {
				t.Error(err)
			}
			done <- a
		}()
	}
	var id int64
	for range 5 {
		a := <-done
		if id != 0 && a.ID != id {
			t.Errorf("accounts %d and %d", id, a.ID)
		}
		id = a.ID
	}
	a := e.mustAccountNow(user, 0)
	if a.ID != id || !a.IsDefault || a.FeeSchedule != "commsec" || a.Method != "fifo" {
		t.Errorf("default account %+v", a)
	}
	assertDec(t, "starting balance", a.Cash, "100000")
	e.mustBalanced()
}

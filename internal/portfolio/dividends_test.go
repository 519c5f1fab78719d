package portfolio_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func civil(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestShippedDividendsSeeded: the seeded database holds the shipped file —
// 113 events with an ex-date over 10 codes (the file's 11th, IAG, has one
// row, without an ex-date, which is skipped) — and seeding again changes
// nothing.
func TestShippedDividendsSeeded(t *testing.T) {
	e := newEnv(t, tradingHours)
	ctx := context.Background()
	cov, err := e.svc.DividendCoverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "ANZ ASX BHP CBA JBH NAB TLS WBC WES WOW"
	if got := strings.Join(cov.List(), " "); got != want {
		t.Errorf("covered codes %q, want %q", got, want)
	}
	if cba, _ := cov.Of("CBA"); cba.Events != 19 {
		t.Errorf("CBA events %d, want 19", cba.Events)
	}
	if cov.Has("CSL") || cov.Has("IAG") {
		t.Error("CSL has no dividend data, IAG none with an ex-date")
	}
	path := filepath.Join(testenv.DataDir(t), portfolio.DividendFile)
	res, err := portfolio.SeedDividends(ctx, e.pool, path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 113 || res.Changed != 0 || len(res.Skipped) != 3 {
		t.Errorf("second seed: %+v, want 113 lines, 0 changed, 3 skipped", res)
	}
	// Same ex-date, two kinds: ASX's 2019 final and special are both kept.
	evs, err := portfolio.Dividends(ctx, db.New(e.pool), []string{"ASX"}, civil(t, "2019-09-05"), civil(t, "2019-09-05"))
	if err != nil || len(evs) != 2 || evs[0].Kind != "final" || evs[1].Kind != "special" {
		t.Errorf("ASX 2019-09-05: %+v %v", evs, err)
	}
	// A blank franking % stays unknown, not unfranked.
	evs, err = portfolio.Dividends(ctx, db.New(e.pool), []string{"ASX"}, civil(t, "2020-03-05"), civil(t, "2020-03-05"))
	if err != nil || len(evs) != 1 || evs[0].FrankingPct.Valid {
		t.Errorf("ASX 2020-03-05: %+v %v", evs, err)
	}
	t.Run("BothFormatsOneDividend", func(t *testing.T) {
		// Loaded first without a kind, then with one: one event, named.
		for _, csv := range []string{
			portfolio.DividendCSVHeader + "\nCBA,2026-02-18,2026-03-30,2.35,100\n",
			portfolio.DividendCSVHeaderShipped + "\nCBA,2026-02-18,2026-03-30,2.35,100,interim,commbank.com.au\n",
			portfolio.DividendCSVHeader + "\nCBA,2026-02-18,2026-03-30,2.35,100\n",
		} {
			if _, err := e.svc.ImportDividends(ctx, strings.NewReader(csv)); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := portfolio.Dividends(ctx, db.New(e.pool), []string{"CBA"}, civil(t, "2026-02-18"), civil(t, "2026-02-18"))
		if err != nil || len(evs) != 1 || evs[0].Kind != "interim" || evs[0].Source != "commbank.com.au" {
			t.Errorf("CBA 2026-02-18: %+v %v, want one interim", evs, err)
		}
	})
	if b, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(b), portfolio.DividendCSVHeaderShipped+"\r\n") {
		t.Errorf("shipped header: %v", err)
	}
}

// TestShippedDividendPaid: CBA's 2024 interim ($2.15, fully franked, ex
// 21 Feb 2024, paid 28 Mar 2024) is paid to the shares held at the close of
// 20 Feb — bought before the ex-date and not sold before it — once, with
// its franking credit in the ledger and the FY2023-24 income.
func TestShippedDividendPaid(t *testing.T) {
	e := newEnv(t, "2024-02-16 11:00")
	user := e.mustUser()
	holder := e.mustAccount(user, "500000", "")
	sellsOnEx := e.mustAccount(user, "500000", "")
	soldBefore := e.mustAccount(user, "500000", "")
	buysOnEx := e.mustAccount(user, "500000", "")
	e.mustTrade(user, holder, "buy", "CBA", "1000", 115, "2024-02-20")
	e.mustTrade(user, sellsOnEx, "buy", "CBA", "300", 115, "2024-02-19")
	e.mustTrade(user, soldBefore, "buy", "CBA", "200", 115, "2024-02-19")
	e.mustTrade(user, soldBefore, "sell", "CBA", "200", 115, "2024-02-20")
	e.mustTrade(user, sellsOnEx, "sell", "CBA", "100", 113, "2024-02-21")
	e.mustTrade(user, buysOnEx, "buy", "CBA", "500", 113, "2024-02-21")
	ctx := context.Background()
	cash := map[int64]string{}
	for _, a := range []portfolio.Account{holder, sellsOnEx, soldBefore, buysOnEx} {
		cash[a.ID] = e.mustAccountNow(user, a.ID).Cash.String()
	}
	if n, err := e.svc.PayDividends(ctx, civil(t, "2024-03-27")); err != nil || n != 0 {
		t.Fatalf("the day before the pay date: %d credits, %v", n, err)
	}
	n, err := e.svc.PayDividends(ctx, civil(t, "2024-03-28"))
	if err != nil || n != 2 {
		t.Fatalf("pay date: %d credits, %v; want 2", n, err)
	}
	if n, err := e.svc.PayDividends(ctx, civil(t, "2024-06-30")); err != nil || n != 0 {
		t.Fatalf("again: %d credits, %v; want none", n, err)
	}
	for _, c := range []struct {
		a        portfolio.Account
		received string
	}{{holder, "2150"}, {sellsOnEx, "645"}, {soldBefore, "0"}, {buysOnEx, "0"}} {
		got := e.mustAccountNow(user, c.a.ID).Cash.Sub(testenv.Decimal(t, cash[c.a.ID]))
		assertDec(t, "cash received", got, c.received)
	}
	a := e.mustAccountNow(user, holder.ID)
	inc, err := e.svc.Income(ctx, a, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Dividends) != 1 || inc.Dividends[0].Kind != "interim" || inc.Label != "2023–24" {
		t.Fatalf("income %s: %+v", inc.Label, inc.Dividends)
	}
	assertDec(t, "cash", inc.Cash, "2150")
	assertDec(t, "franked", inc.Franked, "2150")
	assertDec(t, "credit", inc.Credits, "921.43") // 2150 × 0.30 / 0.70
	assertDec(t, "grossed-up", inc.GrossedUp, "3071.43")
	if other, _ := e.svc.Income(ctx, a, 2025); len(other.Dividends) != 0 {
		t.Errorf("FY2025 has %+v", other.Dividends)
	}
	bal, err := e.svc.Balances(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "franking_credits book", bal["franking_credits"], "921.43")
	assertDec(t, "franking_income book", bal["franking_income"], "-921.43")
	assertDec(t, "dividends book", bal["dividends"], "-2150")
	txs, err := e.svc.Ledger(ctx, a, 0, 1)
	if err != nil || len(txs) != 1 || txs[0].Kind != "dividend" || !strings.Contains(txs[0].Memo, "100% franked (credit $921.43)") {
		t.Errorf("last ledger transaction %+v %v", txs, err)
	}
	e.mustBalanced()

	t.Run("CSV", func(t *testing.T) {
		rep, err := e.svc.CGT(ctx, a, 2024)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := portfolio.TaxCSV(&b, rep, inc); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll() // strict: every row has the header's columns
		if err != nil {
			t.Fatalf("CSV: %v\n%s", err, b.String())
		}
		want := map[string]string{
			"CBA interim":      "CBA interim,2024-02-21,2024-03-28,1000,2.15,100,2150.00,921.43,3071.43",
			"Franking credits": "Franking credits,,,,,,921.43,,",
			"Cash dividends":   "Cash dividends,,,,,,2150.00,,",
		}
		for _, r := range rows {
			if w, ok := want[r[0]]; ok {
				if got := strings.Join(r, ","); got != w {
					t.Errorf("row %q, want %q", got, w)
				}
				delete(want, r[0])
			}
		}
		if len(want) > 0 {
			t.Errorf("rows missing: %v\n%s", want, b.String())
		}
	})

	t.Run("ErrPaidEventUnchangeable", func(t *testing.T) {
		_, err := e.svc.ImportDividends(ctx, strings.NewReader(portfolio.DividendCSVHeaderShipped+"\nCBA,2024-02-21,2024-03-28,2.20,100,interim,x\n"))
		assertCode(t, err, apperr.Invalid, "csv")
		if !strings.Contains(apperr.MessageOf(err), "line 2: CBA interim ex 2024-02-21 was already paid to 2 account(s)") {
			t.Errorf("message %q", apperr.MessageOf(err))
		}
	})
}

// TestUnstatedFrankingPaid: ASX's 2020 interim has no franking % in its
// source: the cash is paid, no credit is made up, and the income summary
// keeps that cash apart from the unfranked amount.
func TestUnstatedFrankingPaid(t *testing.T) {
	e := newEnv(t, "2020-03-03 11:00")
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "ASX", "100", 80, "2020-03-04")
	e.mustTrade(user, a, "buy", "CSL", "10", 300, "2020-03-04")
	if _, err := e.svc.PayDividends(context.Background(), civil(t, "2020-03-25")); err != nil {
		t.Fatal(err)
	}
	inc, err := e.svc.Income(context.Background(), e.mustAccountNow(user, a.ID), 2020)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "cash", inc.Cash, "116.4")
	assertDec(t, "not stated", inc.Unstated, "116.4")
	assertDec(t, "unfranked", inc.Unfranked, "0")
	assertDec(t, "credits", inc.Credits, "0")
	if strings.Join(inc.NoData, ",") != "CSL" {
		t.Errorf("held codes without dividend data %v, want CSL", inc.NoData)
	}
	e.mustBalanced()
}

// TestTWRIncludesDividend: the time-weighted return rises by exactly the
// dividend over the value it was earned on (2,150 / 100,000 = 2.15 points)
// from the ex-date, when the shares trade without it: the dividend is
// receivable until the pay date, then cash, and paying it leaves the value
// and the return unchanged. The franking credit (not cash) is in neither.
func TestTWRIncludesDividend(t *testing.T) {
	e := newEnv(t, "2024-02-19 11:00")
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "CBA", "1000", 80, "2024-02-20")
	ctx := context.Background()
	twr := func() (portfolio.History, portfolio.Valuation) {
		t.Helper()
		v, err := e.svc.Value(ctx, e.mustAccountNow(user, a.ID))
		if err != nil {
			t.Fatal(err)
		}
		h, err := e.svc.History(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		return h, v
	}
	priceOnly, v0 := twr() // the day before the ex-date
	if err := e.svc.SnapshotAll(ctx, civil(t, "2024-02-20")); err != nil {
		t.Fatal(err)
	}
	// The ex-date, at the same price, so that only the dividend moves.
	e.at("2024-02-21 11:00")
	e.quotes.set("CBA", 80, 80, 80)
	onEx, v1 := twr()
	assertDec(t, "receivable on the ex-date", v1.Receivable, "2150")
	assertDec(t, "value change on the ex-date", v1.Total.Sub(v0.Total), "2150")
	// TWR is rounded to 6 places: the change is 0.0215 within that rounding.
	if diff := onEx.TWR.Sub(priceOnly.TWR).Sub(testenv.Decimal(t, "0.0215")).Abs(); diff.GreaterThan(testenv.Decimal(t, "0.000001")) {
		t.Errorf("TWR %s -> %s: change off 0.0215 by %s", priceOnly.TWR, onEx.TWR, diff)
	}
	if !priceOnly.TWR.IsNegative() {
		t.Errorf("TWR before the dividend %s, want the brokerage's small loss", priceOnly.TWR)
	}

	e.at("2024-03-28 11:00")
	e.quotes.set("CBA", 80, 80, 80)
	before, vb := twr()
	if _, err := e.svc.PayDividends(ctx, civil(t, "2024-03-28")); err != nil {
		t.Fatal(err)
	}
	after, va := twr()
	assertDec(t, "receivable after payment", va.Receivable, "0")
	assertDec(t, "cash received", va.Cash.Sub(vb.Cash), "2150")
	assertDec(t, "value change on payment", va.Total.Sub(vb.Total), "0")
	if !after.TWR.Equal(before.TWR) || !after.TWR.Equal(onEx.TWR) {
		t.Errorf("TWR ex %s, before payment %s, after %s: want all equal", onEx.TWR, before.TWR, after.TWR)
	}
}

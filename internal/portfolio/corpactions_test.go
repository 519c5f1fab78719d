package portfolio_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// A paper holding of 100 REH bought before the real 5:1 split (ex
// 2017-12-18, shipped in corporate-actions.csv) is 500 shares after it, with
// the same cost base and acquisition date, and the same market value at the
// split-adjusted price; CGT on a later sale uses the price actually paid.
func TestSplitKeepsCostBaseAndValue(t *testing.T) {
	e := newEnv(t, "2017-12-14 10:00")
	ctx := context.Background()
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "fifo")
	e.mustTrade(user, a, "buy", "REH", "100", 47.77, "2017-12-14")

	before, err := e.svc.Value(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Holdings) != 1 {
		t.Fatalf("holdings before the split: %+v", before.Holdings)
	}
	h0 := before.Holdings[0]
	assertDec(t, "quantity before", h0.Quantity, "100")
	assertDec(t, "market value before", h0.MarketValue, "4777")

	// A good-till-cancelled limit order in old shares is working before the split.
	e.at("2017-12-15 11:00")
	gtc := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "REH", Side: "buy", Type: "limit",
		Quantity: "10", LimitPrice: "47.00", TIF: "gtc"})

	// Nothing happens before the ex-date.
	if n, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2017-12-15")); err != nil || n != 0 {
		t.Fatalf("before the ex-date: %d parcels changed (%v), want 0", n, err)
	}
	if o := e.mustOrder(user, gtc.ID); !o.State.Active() {
		t.Fatalf("the GTC order is %s before the ex-date", o.State)
	}
	e.at("2017-12-18 09:00")
	n, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2017-12-18"))
	if err != nil || n != 1 {
		t.Fatalf("on the ex-date: %d parcels changed (%v), want 1", n, err)
	}
	// The ASX purges a code's orders at the ex-date of a split: so does the paper matcher, once.
	if o := e.mustOrder(user, gtc.ID); o.State != portfolio.Cancelled || !strings.Contains(o.Reason, "purged at the ex-date") {
		t.Errorf("the GTC order placed before the split is %s (%q), want cancelled as purged", o.State, o.Reason)
	}
	e.at("2017-12-18 11:00")
	later := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "REH", Side: "buy", Type: "limit",
		Quantity: "10", LimitPrice: "9.00", TIF: "gtc"})
	if _, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2017-12-18")); err != nil {
		t.Fatal(err)
	}
	if o := e.mustOrder(user, later.ID); !o.State.Active() {
		t.Errorf("an order placed after the purge is %s (%q), want still working", o.State, o.Reason)
	}
	if _, err := e.svc.CancelOrder(ctx, user, later.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2018-01-02")); err != nil || n != 0 {
		t.Errorf("again: %d parcels changed (%v), want 0 (idempotent)", n, err)
	}

	// At the split-adjusted price (47.77 × 0.2) the holding is worth what it was.
	adjusted := 47.77 * 0.2
	e.quotes.set("REH", adjusted, adjusted, adjusted)
	after, err := e.svc.Value(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	h := after.Holdings[0]
	assertDec(t, "quantity after", h.Quantity, "500")
	if !h.CostBase.Equal(h0.CostBase) {
		t.Errorf("cost base after = %s, want %s (unchanged)", h.CostBase, h0.CostBase)
	}
	assertDec(t, "market value after", h.MarketValue, "4777")
	if !h.Parcels[0].Acquired.Equal(testenv.Date(t, "2017-12-14")) {
		t.Errorf("acquired %v, want 2017-12-14 (the 12-month discount counts from the purchase)", h.Parcels[0].Acquired)
	}

	// The ledger records the change: shares move, no money does.
	txs, err := e.svc.Ledger(ctx, e.mustAccountNow(user, a.ID), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) == 0 || txs[0].Kind != "corporate_action" || len(txs[0].Lines) != 1 ||
		!txs[0].Lines[0].Quantity.Equal(decimal.NewFromInt(400)) || !txs[0].Lines[0].Amount.IsZero() {
		t.Fatalf("newest ledger transaction = %+v, want a corporate_action moving 400 REH at no cost", txs[0])
	}
	t.Logf("ledger: %s", txs[0].Memo)
	var recorded int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM parcel_adjustments WHERE account_id = $1 AND old_quantity = 100 AND new_quantity = 500`, a.ID).Scan(&recorded); err != nil || recorded != 1 {
		t.Errorf("parcel_adjustments rows: %d (%v), want 1", recorded, err)
	}
	e.mustBalanced()

	// The applied split's factor can no longer change, nor can it be deleted.
	actions := corpaction.NewService(e.pool)
	ex := testenv.Date(t, "2017-12-18")
	wrong := 0.1
	_, err = actions.Save(ctx, 0, auth.Meta{}, []corpaction.Action{{Code: "REH", ExDate: &ex, Kind: corpaction.KindSplit, Ratio: "10:1", Factor: &wrong}})
	assertCode(t, err, apperr.Conflict, "")
	var id int64
	if err := e.pool.QueryRow(ctx, `SELECT id FROM corporate_actions WHERE code = 'REH' AND kind = 'split'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, err = actions.Delete(ctx, 0, auth.Meta{}, id)
	assertCode(t, err, apperr.Conflict, "")

	// A parcel bought on the ex-date is already in new shares: not adjusted.
	e.mustTrade(user, a, "buy", "REH", "50", 9.63, "2017-12-29")
	if n, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2018-01-02")); err != nil || n != 0 {
		t.Errorf("after a post-split buy: %d parcels changed (%v), want 0", n, err)
	}

	// Selling the 500 split shares: CGT on the cost base actually paid.
	e.mustTrade(user, a, "sell", "REH", "500", 9.63, "2018-01-03")
	ds, err := e.svc.Disposals(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Quantity.Equal(decimal.NewFromInt(500)) || !ds[0].CostBase.Equal(h0.CostBase) ||
		!ds[0].Gain.Equal(ds[0].Proceeds.Sub(h0.CostBase)) {
		t.Fatalf("disposals = %+v, want 500 shares against the cost base %s paid", ds, h0.CostBase)
	}
	e.mustBalanced()
}

// A 1-for-10 consolidation (PDN, ex 2024-04-11) divides the share count,
// rounding a fraction up to a whole share.
func TestConsolidationRoundsUp(t *testing.T) {
	e := newEnv(t, "2024-04-09 10:00")
	ctx := context.Background()
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "fifo")
	e.mustTrade(user, a, "buy", "PDN", "1005", 1.53, "2024-04-10")
	v0, err := e.svc.Value(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2024-04-22")); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Value(ctx, e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "PDN shares after 1-for-10", v.Holdings[0].Quantity, "101")
	if !v.Holdings[0].CostBase.Equal(v0.Holdings[0].CostBase) {
		t.Errorf("cost base %s, want %s", v.Holdings[0].CostBase, v0.Holdings[0].CostBase)
	}
	e.mustBalanced()
}

// A dividend going ex before a split and paid after it is paid on the shares
// held at the ex-date, in the units of that day: REH splits 5:1 on
// 2017-12-18; a test dividend of 10c goes ex on 2017-12-15 and is paid on
// 2017-12-29. Whoever held 100 shares at the ex-date gets $10, not $50 for
// the 500 they hold on the pay date; a sale before the ex-date (40 of 100)
// leaves 60 entitled; a sale after the split (150 of the 500) changes
// nothing.
func TestDividendAcrossSplitPaysExDateShares(t *testing.T) {
	e := newEnv(t, "2017-12-13 10:00")
	ctx := context.Background()
	if _, err := e.svc.ImportDividends(ctx, strings.NewReader(portfolio.DividendCSVHeaderShipped+
		"\nREH,2017-12-15,2017-12-29,0.10,100,interim,test dividend across the split\n")); err != nil {
		t.Fatal(err)
	}
	user := e.mustUser()
	holder := e.mustAccount(user, "100000", "fifo")
	soldBefore := e.mustAccount(user, "100000", "fifo")
	soldAfter := e.mustAccount(user, "100000", "fifo")
	e.mustTrade(user, holder, "buy", "REH", "100", 47.77, "2017-12-13")
	e.mustTrade(user, soldBefore, "buy", "REH", "100", 47.77, "2017-12-13")
	e.mustTrade(user, soldAfter, "buy", "REH", "100", 47.77, "2017-12-13")
	e.mustTrade(user, soldBefore, "sell", "REH", "40", 47.80, "2017-12-14")

	e.at("2017-12-18 09:00")
	if n, err := e.svc.ApplyCorporateActions(ctx, testenv.Date(t, "2017-12-18")); err != nil || n != 3 {
		t.Fatalf("on the split's ex-date: %d parcels changed (%v), want 3", n, err)
	}
	e.mustTrade(user, soldAfter, "sell", "REH", "150", 9.60, "2017-12-20")

	cash := map[int64]decimal.Decimal{}
	for _, a := range []portfolio.Account{holder, soldBefore, soldAfter} {
		cash[a.ID] = e.mustAccountNow(user, a.ID).Cash
	}
	if n, err := e.svc.PayDividends(ctx, testenv.Date(t, "2017-12-29")); err != nil || n != 3 {
		t.Fatalf("pay date: %d credits (%v), want 3", n, err)
	}
	for _, c := range []struct {
		name     string
		a        portfolio.Account
		received string
	}{{"held 100 at the ex-date", holder, "10"}, {"sold 40 before the ex-date", soldBefore, "6"}, {"sold 150 after the split", soldAfter, "10"}} {
		got := e.mustAccountNow(user, c.a.ID).Cash.Sub(cash[c.a.ID])
		assertDec(t, c.name, got, c.received)
	}
	e.mustBalanced()
}

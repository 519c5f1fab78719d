package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/backup"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestRestoreDrill: a seeded database with accounts, paper orders, fills
// and ledger entries is dumped (encrypted) with `qlibpro backup`, restored
// with `qlibpro restore` into a fresh database, and the restored copy holds
// the same rows in every table with the ledger invariants intact.
func TestRestoreDrill(t *testing.T) {
	ctx := t.Context()
	clock := provider.NewManualClock(time.Date(2026, 11, 24, 11, 0, 0, 0, asx.Sydney()))
	app := testapp.NewWithClock(t, nil, clock)
	u, err := app.Users.CreateUser(ctx, auth.Registration{Email: "drill@example.com", Name: "Drill", Password: "restore drill passphrase 9"},
		auth.RoleTrader, 0, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Portfolio.Account(ctx, u.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range []portfolio.OrderInput{
		{AccountID: a.ID, Code: "BHP", Side: "buy", Quantity: "100"},
		{AccountID: a.ID, Code: "CBA", Side: "buy", Type: "limit", Quantity: "10", LimitPrice: "100"},
	} {
		if _, _, err := app.Portfolio.PlaceOrder(ctx, u.ID, in, "drill-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Matcher.ProcessTicks(context.Background(), []market.Tick{{Time: clock.Now(), Code: "BHP",
		Price: 45, Size: 100, Bid: 45, Ask: 45, Seq: 1 << 41, Kind: market.Trade}}); err != nil {
		t.Fatal(err)
	}
	before, err := backup.Inspect(ctx, app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"public.users", "public.paper_orders", "public.paper_fills", "public.ledger_entries", "public.daily_bars"} {
		if before.Rows[table] == 0 {
			t.Fatalf("the drill's database has no rows in %s", table)
		}
	}

	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "qlibpro.dump")
	source := testenv.URLOf(t, app.Pool)
	cli := func(url string, extra map[string]string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		err := run(ctx, args, func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return extra[k]
		}, strings.NewReader(""), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	if code, out, errs := cli(source, map[string]string{"BACKUP_AGE_RECIPIENTS": id.Recipient().String()}, "backup", "--out", file, "--encrypt"); code != 0 || !strings.Contains(out, "ledger: 0 unbalanced") {
		t.Fatalf("backup: %d\n%s\n%s", code, out, errs)
	}
	if head, _ := os.ReadFile(file); !bytes.HasPrefix(head, []byte("age-encryption.org/v1")) {
		t.Fatal("the dump is not encrypted")
	}

	target := testenv.EmptyDBURL(t)
	if code, _, errs := cli(target, nil, "restore", "--in", file); code == 0 || !strings.Contains(errs, "encrypted") {
		t.Errorf("restore without the identity: %d %s", code, errs)
	}
	if code, out, errs := cli(target, map[string]string{"BACKUP_AGE_IDENTITY": id.String()}, "restore", "--in", file); code != 0 {
		t.Fatalf("restore: %d\n%s\n%s", code, out, errs)
	}
	restored, err := testenvPool(t, target)
	if err != nil {
		t.Fatal(err)
	}
	after, err := backup.Inspect(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LedgerOK() {
		t.Errorf("restored ledger: %+v", after.Ledger)
	}
	for table, n := range before.Rows {
		if after.Rows[table] != n {
			t.Errorf("%s: %d rows restored, want %d", table, after.Rows[table], n)
		}
	}
	if len(after.Rows) != len(before.Rows) {
		t.Errorf("%d tables restored, want %d", len(after.Rows), len(before.Rows))
	}
	// A second restore over the now full database is refused (exit 2)
	// unless --replace.
	if code, _, errs := cli(target, map[string]string{"BACKUP_AGE_IDENTITY": id.String()}, "restore", "--in", file); code != 2 || !strings.Contains(errs, "not empty") {
		t.Errorf("restore over a full database: %d %s", code, errs)
	}
	if code, out, errs := cli(target, map[string]string{"BACKUP_AGE_IDENTITY": id.String()}, "restore", "--in", file, "--replace"); code != 0 {
		t.Errorf("restore --replace: %d\n%s\n%s", code, out, errs)
	}
}

// testenvPool connects to url for the rest of the test.
func testenvPool(t *testing.T, url string) (*pgxpool.Pool, error) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	if err == nil {
		t.Cleanup(pool.Close)
	}
	return pool, err
}

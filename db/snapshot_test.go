package db_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestSnapshot checks that every transaction of a snapshot sees the data as
// it was when the snapshot began, not a bar committed after it.
func TestSnapshot(t *testing.T) {
	pool := testdb.New(t)
	ctx := t.Context()
	count := func(q *db.Queries) int {
		t.Helper()
		days, err := q.ListTradingDays(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(days)
	}
	before := count(db.New(pool))
	snap, err := db.BeginSnapshot(ctx, pool, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close(ctx)
	if _, err := pool.Exec(ctx, `INSERT INTO daily_bars (code, date, open, high, low, close, volume)
		VALUES ('BHP', '2026-03-16', 40, 41, 39, 40.5, 1000)`); err != nil {
		t.Fatal(err)
	}
	if now := count(db.New(pool)); now != before+1 {
		t.Fatalf("after the insert the pool sees %d days, want %d", now, before+1)
	}
	for i := range snap.Len() {
		if got := count(snap.Queries(i)); got != before {
			t.Errorf("transaction %d sees %d days, want the snapshot's %d", i, got, before)
		}
	}
}

package migrations_test

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/migrations"
)

// TestRoundTrip runs every migration up, down to zero and up again on an empty
// database: every Down must work and leave nothing behind.
func TestRoundTrip(t *testing.T) {
	db, err := sql.Open("pgx", testenv.EmptyDBURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := migrations.NewProvider(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	up, err := p.Up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	n := len(p.ListSources())
	if len(up) != n {
		t.Fatalf("up applied %d of %d migrations", len(up), n)
	}
	tables := countTables(t, db)
	if tables == 0 {
		t.Fatal("no tables after up")
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if v, _ := p.GetDBVersion(ctx); v != 0 {
		t.Fatalf("version after down = %d, want 0", v)
	}
	if got := countTables(t, db); got != 1 { // goose_db_version remains
		t.Errorf("%d tables left after down to 0, want only goose_db_version", got)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := countTables(t, db); got != tables {
		t.Errorf("tables after second up = %d, want %d", got, tables)
	}
	if pending, err := p.HasPending(ctx); err != nil || pending {
		t.Errorf("pending after up = %v, %v", pending, err)
	}
}

func countTables(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

package corpaction_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// BenchmarkRecomputeFactors sets the factors of every adjusted code (22 codes,
// 26,454 bars away from 1) from scratch, as a first seed does.
func BenchmarkRecomputeFactors(b *testing.B) {
	pool := testdb.New(b)
	q := db.New(pool)
	ctx := b.Context()
	for b.Loop() {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `UPDATE daily_bars SET factor = 1 WHERE factor <> 1`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := corpaction.Recompute(ctx, q, nil)
		if err != nil || n != 26454 {
			b.Fatalf("recompute: %d bars, %v", n, err)
		}
	}
}

// BenchmarkRecomputeNoChange is the check every import and end-of-day
// finalisation runs: nothing to change.
func BenchmarkRecomputeNoChange(b *testing.B) {
	pool := testdb.New(b)
	q := db.New(pool)
	for b.Loop() {
		if n, err := corpaction.Recompute(b.Context(), q, nil); err != nil || n != 0 {
			b.Fatalf("recompute: %d bars, %v", n, err)
		}
	}
}

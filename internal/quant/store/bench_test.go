package store_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// BenchmarkRefreshAll computes and stores Alpha158 for every equity of the
// shipped data (194 instruments, about 490,000 rows) into an empty store.
func BenchmarkRefreshAll(b *testing.B) {
	pool := testdb.QuietDB(b, testdb.QuantTables...)
	s := store.New(pool)
	var res store.Result
	for b.Loop() {
		b.StopTimer()
		if _, err := db.New(pool).DeleteFeatureSetRows(b.Context(), store.SetAlpha158); err != nil {
			b.Fatal(err)
		}
		mustExec(b, pool, `VACUUM features`) // as empty as the first refresh finds it
		b.StartTimer()
		var err error
		if res, err = s.Refresh(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Written), "rows")
	b.ReportMetric(float64(res.TableBytes)/1e6, "MB")
}

// BenchmarkRefreshOneNewDay refreshes every equity after one new trading
// day: the check against the bars and one row per instrument that traded.
func BenchmarkRefreshOneNewDay(b *testing.B) {
	pool := testdb.QuietDB(b, testdb.QuantTables...)
	s := store.New(pool)
	if _, err := s.Refresh(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	last := testenv.Date(b, "2026-06-04")
	for b.Loop() {
		b.StopTimer()
		// Dropping the last day's rows makes it new again.
		mustExec(b, pool, `DELETE FROM features WHERE date = $1`, last)
		b.StartTimer()
		res, err := s.Refresh(b.Context(), nil)
		if err != nil || res.Written == 0 || res.Deleted != 0 {
			b.Fatalf("refresh = %+v, %v", res, err)
		}
	}
}

// BenchmarkPanel loads one year of every equity's stored features with
// their labels.
func BenchmarkPanel(b *testing.B) {
	pool := testdb.QuietDB(b, testdb.QuantTables...)
	s := store.New(pool)
	if _, err := s.Refresh(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := s.Panel(b.Context(), testenv.Date(b, "2021-01-01"), testenv.Date(b, "2021-12-31"))
		if err != nil || p.Len() < 40_000 {
			b.Fatalf("panel of %d rows, %v", p.Len(), err)
		}
	}
}

// BenchmarkDay loads one day's features, as scoring does.
func BenchmarkDay(b *testing.B) {
	pool := testdb.QuietDB(b, testdb.QuantTables...)
	s := store.New(pool)
	if _, err := s.Refresh(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		codes, _, err := s.Day(b.Context(), testenv.Date(b, "2026-06-04"))
		if err != nil || len(codes) < 150 {
			b.Fatalf("%d codes, %v", len(codes), err)
		}
	}
}

package pipeline_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// universe is a small set of large caps that trade on every day of the data.
var universe = []string{"ANZ", "BHP", "CBA", "CSL", "FMG", "MQG", "NAB", "RIO", "TLS", "WBC", "WES", "WOW"}

// segments are short windows that keep the tests fast.
var segments = dataset.Segments{
	Train: dataset.DateRange{Start: testenv.Day(2018, 1, 1), End: testenv.Day(2020, 12, 31)},
	Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 12, 31)},
	Test:  dataset.DateRange{Start: testenv.Day(2022, 1, 1), End: testenv.Day(2022, 12, 31)},
}

type fixture struct {
	pool    *pgxpool.Pool
	p       *pipeline.Pipeline
	metrics *telemetry.Metrics
}

// mustSetup returns a pipeline on a fresh database whose feature store holds
// the test universe.
func mustSetup(t *testing.T) fixture {
	t.Helper()
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	m := telemetry.New()
	p := pipeline.New(pool, m, nil)
	if _, err := p.Store().Refresh(t.Context(), universe); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return fixture{pool: pool, p: p, metrics: m}
}

// mustTrain trains a model and fails the test on error.
func mustTrain(t *testing.T, f fixture, spec pipeline.TrainSpec) pipeline.ModelVersion {
	t.Helper()
	if spec.Segments == (dataset.Segments{}) {
		spec.Segments = segments
	}
	v, err := f.p.Train(t.Context(), spec, nil)
	if err != nil {
		t.Fatalf("Train(%s): %v", spec.Kind, err)
	}
	return v
}

// mustCount runs a count query that checks the database directly.
func mustCount(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

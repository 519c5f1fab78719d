package asxdata_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/migrations"
)

func mustMigratedEmpty(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), testenv.EmptyDBURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	p, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatal(err)
	}
	return pool
}

func TestSeedIdempotent(t *testing.T) {
	pool := mustMigratedEmpty(t)
	first, err := asxdata.Seed(t.Context(), pool, testenv.DataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if first.Instruments != 198+6 {
		t.Errorf("instruments = %d, want 204 (198 constituents + 6 indices)", first.Instruments)
	}
	if first.Bars < 450_000 || first.BarsInserted != first.Bars {
		t.Errorf("first seed: %d bars, %d inserted", first.Bars, first.BarsInserted)
	}
	second, err := asxdata.Seed(t.Context(), pool, testenv.DataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if first.Actions != 35 || first.ActionsChanged != 35 || first.FactorsChanged < 20_000 {
		t.Errorf("first seed: %d corporate actions (%d changed), %d factors set; want 35, 35 and the adjusted history",
			first.Actions, first.ActionsChanged, first.FactorsChanged)
	}
	if second.Actions != 35 || second.ActionsChanged != 0 || second.FactorsChanged != 0 {
		t.Errorf("second seed: %d corporate actions, %d changed, %d factors set; want 35, 0, 0", second.Actions, second.ActionsChanged, second.FactorsChanged)
	}
	if second.Instruments != first.Instruments || second.Bars != first.Bars || second.BarsInserted != 0 {
		t.Errorf("second seed: %+v, want same counts and 0 changes after %+v", second, first)
	}
	t.Logf("seed: %d bars in %s; re-seed in %s", first.Bars, first.Elapsed, second.Elapsed)

	// Spot-check real values against the shipped file (BHP.AX.csv.gz first row).
	var o, h, l, c float64
	var v int64
	err = pool.QueryRow(t.Context(), `SELECT open, high, low, close, volume FROM daily_bars WHERE code = 'BHP' AND date = '2015-01-02'`).Scan(&o, &h, &l, &c, &v)
	if err != nil {
		t.Fatal(err)
	}
	if o != 29.13 || h != 29.61 || l != 28.92 || c != 29.54 || v != 2815017 {
		t.Errorf("BHP 2015-01-02 = %v %v %v %v %v", o, h, l, c, v)
	}
	var name, sector, group, kind string
	var active bool
	err = pool.QueryRow(t.Context(), `SELECT name, sector, industry_group, kind, active FROM instruments WHERE code = 'CBA'`).Scan(&name, &sector, &group, &kind, &active)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Commonwealth Bank of Australia" || sector != "Financials" || group != "Banks" || kind != "equity" || !active {
		t.Errorf("CBA = %q %q %q %q %v", name, sector, group, kind, active)
	}
	var xjoFrom time.Time
	var xjoVol sql.NullInt64
	err = pool.QueryRow(t.Context(), `SELECT min(date), max(volume) FROM daily_bars WHERE code = 'XJO'`).Scan(&xjoFrom, &xjoVol)
	if err != nil {
		t.Fatal(err)
	}
	if xjoFrom.Year() != 2015 || xjoVol.Valid {
		t.Errorf("XJO starts %v with volume %v; want 2015 and no volume", xjoFrom, xjoVol)
	}
}

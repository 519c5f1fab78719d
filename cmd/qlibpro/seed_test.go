package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestSeedSimulateTo: seed --simulate-to fills the days after the shipped
// history with simulated bars and says so; again, it has nothing to fill.
func TestSeedSimulateTo(t *testing.T) {
	pool := testdb.New(t)
	env := map[string]string{"DATABASE_URL": testenv.URLOf(t, pool), "DATA_DIR": testenv.DataDir(t)}
	seed := func() (int, string, string) {
		var out, errb bytes.Buffer
		err := run(t.Context(), []string{"seed", "--simulate-to", "2026-06-12"}, func(k string) string { return env[k] },
			strings.NewReader(""), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	code, out, errs := seed()
	if code != 0 || !strings.Contains(out, "(source sim; 0 from played sessions)") || !strings.Contains(out, "for 173 instruments") || !strings.Contains(out, "to 2026-06-12") {
		t.Fatalf("seed --simulate-to: %d %q %q", code, out, errs)
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM daily_bars WHERE code = 'BHP' AND source = 'sim'`).Scan(&n); err != nil || n != 5 {
		t.Errorf("BHP simulated bars = %d (%v), want 5 (5, 9–12 June; 8 June is a holiday)", n, err)
	}
	if code, out, _ := seed(); code != 0 || !strings.Contains(out, "simulated days: none to fill up to 2026-06-12") {
		t.Errorf("second seed: %d %q", code, out)
	}
}

package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// smokeApp serves the app with an account and an active, scored ridge model,
// as a deployment has them.
func smokeApp(t *testing.T) string {
	t.Helper()
	app := testapp.New(t, nil)
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, testdb.QuantTables...)
	if _, err := app.Quant.Store().Refresh(ctx, []string{"BHP", "CBA", "CSL", "NAB", "WBC", "RIO"}); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{
		Train: dataset.DateRange{Start: testenv.Day(2019, 1, 1), End: testenv.Day(2020, 12, 31)},
		Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 6, 30)},
		Test:  dataset.DateRange{Start: testenv.Day(2021, 7, 1), End: testenv.Day(2022, 6, 30)},
	}
	if _, err := app.Quant.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Quant.ScoreDays(ctx, []time.Time{testenv.Date(t, "2026-06-04")}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.CreateUser(ctx, auth.Registration{Email: "smoke@example.com", Name: "Smoke", Password: "smoke test passphrase 2026"},
		auth.RoleTrader, 0, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	return app.Serve(t).URL
}

// runSmoke runs scripts/smoke.sh against base with the given environment.
func runSmoke(t *testing.T, base string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", testenv.RepoRoot(t)+"/scripts/smoke.sh", base)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestSmokeScript: scripts/smoke.sh passes against a running server and
// stops at the first failing check with a non-zero exit and its reason.
func TestSmokeScript(t *testing.T) {
	base := smokeApp(t)
	creds := []string{"SMOKE_EMAIL=smoke@example.com", "SMOKE_PASSWORD=smoke test passphrase 2026"}
	t.Run("OK", func(t *testing.T) {
		out, err := runSmoke(t, base, creds...)
		if err != nil {
			t.Fatalf("smoke test failed: %v\n%s", err, out)
		}
		for _, want := range []string{"ok   health", "ok   ready", "ok   db health", "ok   version", "ok   home page",
			"ok   sign in", "ok   quotes (BHP", "ok   portfolio", "ok   signals (ridge for BHP)", "all checks passed"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		out, err := runSmoke(t, base, "SMOKE_EMAIL=smoke@example.com", "SMOKE_PASSWORD=not the password")
		if err == nil || !strings.Contains(out, "smoke: FAIL sign in: HTTP 401") || strings.Contains(out, "ok   quotes") {
			t.Errorf("want a failure at sign-in and nothing after it: %v\n%s", err, out)
		}
	})
	t.Run("ErrVersion", func(t *testing.T) {
		out, err := runSmoke(t, base, append(creds, "SMOKE_VERSION=v999")...)
		if err == nil || !strings.Contains(out, "smoke: FAIL version: the server reports") {
			t.Errorf("want a version failure: %v\n%s", err, out)
		}
	})
	t.Run("ErrNoServer", func(t *testing.T) {
		out, err := runSmoke(t, "http://127.0.0.1:1", creds...)
		if err == nil || !strings.Contains(out, "smoke: FAIL health: request failed") {
			t.Errorf("want a failure at the first check: %v\n%s", err, out)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		out, err := runSmoke(t, "", creds...)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(out, "usage:") {
			t.Errorf("want exit 2 with usage: %v\n%s", err, out)
		}
	})
}

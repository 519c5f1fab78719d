package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// runWithDB runs the CLI against the database at url.
func runWithDB(t *testing.T, url string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	err := run(t.Context(), args, getenv, strings.NewReader(""), &out, &errb)
	return exitCode(err, &errb), out.String(), errb.String()
}

func TestFactorsCommand(t *testing.T) {
	pool := testdb.New(t)
	url := testenv.URLOf(t, pool)
	const src = "Mean($close, 5)/$close - Ref($close, 2)/$close"

	code, out, errs := runWithDB(t, url, "factors", "--expr", src, "--symbols", "cba,BHP", "--from", "2016-03-01", "--to", "2016-03-31")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], "|"); got != "date|code|"+src {
		t.Errorf("header = %s, want date, code and the expression", got)
	}
	// The reference: expr.Eval over each whole series on the market calendar.
	cal, err := store.Calendar(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]float64{}
	for _, c := range []string{"BHP", "CBA"} {
		rows, err := db.New(pool).ListFactorBars(t.Context(), db.ListFactorBarsParams{Code: c, ToDate: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		bars := make([]store.Bar, len(rows))
		for i, r := range rows {
			bars[i] = store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
		}
		a := store.Align(cal, bars)
		vals, err := expr.Eval(expr.MustParse(src), a.Series)
		if err != nil {
			t.Fatal(err)
		}
		want[c] = map[string]float64{}
		for i, b := range bars {
			want[c][b.Date.Format(time.DateOnly)] = vals[a.Pos[i]]
		}
	}
	if len(recs) != 1+2*21 {
		t.Errorf("%d data rows, want 42 (21 trading days in March 2016, after Easter, for two symbols)", len(recs)-1)
	}
	for i, r := range recs[1:] {
		if p := recs[i]; i > 0 && (r[1] < p[1] || r[1] == p[1] && r[0] <= p[0]) {
			t.Errorf("row %v after %v: want code, then date order", r, p)
		}
		got, err := strconv.ParseFloat(r[2], 64)
		w := want[r[1]][r[0]]
		if err != nil || got != w || math.IsNaN(w) {
			t.Errorf("%s %s = %q, want %v exactly", r[0], r[1], r[2], w)
		}
	}

	tests := []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"ParseError", []string{"--expr", "Mean($close, 5", "--symbols", "BHP", "--from", "2016-01-01", "--to", "2016-12-31"},
			[]string{"--expr: position 14:", "\n  Mean($close, 5\n                ^\n"}},
		{"UnknownOperator", []string{"--expr", "$close + Frob($open)", "--symbols", "BHP", "--from", "2016-01-01", "--to", "2016-12-31"},
			[]string{"Frob", "\n  $close + Frob($open)\n           ^\n"}},
		{"UnknownSymbol", []string{"--set", "alpha158", "--symbols", "BHP,NOPE", "--from", "2016-01-01", "--to", "2016-12-31"},
			[]string{"--symbols: unknown symbol NOPE"}},
		{"BadDate", []string{"--set", "alpha158", "--symbols", "BHP", "--from", "2016-13-01", "--to", "2016-12-31"},
			[]string{`--from "2016-13-01" is not a YYYY-MM-DD date`}},
		{"Backwards", []string{"--set", "alpha158", "--symbols", "BHP", "--from", "2016-12-31", "--to", "2016-01-01"},
			[]string{"--to: the end date 2016-01-01 is before the start date 2016-12-31"}},
		{"NoExpression", []string{"--symbols", "BHP", "--from", "2016-01-01", "--to", "2016-12-31"},
			[]string{"give an expression or a feature set"}},
		{"NoSymbols", []string{"--set", "alpha158"}, []string{"--symbols: give at least one symbol, or all equities"}},
		{"SymbolsAndAll", []string{"--set", "alpha158", "--all", "--symbols", "BHP"}, []string{"--symbols: give symbols or all equities, not both"}},
		{"Argument", []string{"--set", "alpha158", "--all", "BHP"}, []string{"factors takes no arguments"}},
		{"BadFormat", []string{"--set", "alpha158", "--all", "--format", "xml"}, []string{`--format: unknown format "xml" (want csv or npy)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runWithDB(t, url, append([]string{"factors"}, tt.args...)...)
			if code != 2 || out != "" {
				t.Errorf("exit %d with stdout %q, want 2 and nothing", code, out)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr = %q, want it to contain %q", errs, w)
				}
			}
		})
	}
}

func TestQuantCommandUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"FactorsHelp", []string{"factors", "--help"}, 0, "--symbols", ""},
		{"TrainHelp", []string{"train", "--help"}, 0, "--activate", ""},
		{"SignalsHelp", []string{"signals", "--help"}, 0, "--date", ""},
		{"QuantHelp", []string{"quant", "--help"}, 0, "bootstrap", ""},
		{"TrainNoModel", []string{"train"}, 2, "", "train needs --model"},
		{"TrainBackwardsWindow", []string{"train", "--model", "ridge", "--train", "2021-01-01:2020-01-01"}, 2, "", "--train: train window 2021-01-01:2020-01-01 ends before it starts"},
		{"TrainOverlap", []string{"train", "--model", "ridge", "--valid", "2021-06-01:2022-12-31"}, 2, "", "--valid: valid window"},
		{"SignalsBadDate", []string{"signals", "--date", "June"}, 2, "", `--date "June" is not a YYYY-MM-DD date`},
		{"QuantNoAction", []string{"quant"}, 2, "", "exactly one of bootstrap, refresh, models"},
		{"QuantBadAction", []string{"quant", "tune"}, 2, "", `unknown quant action "tune"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errs)
			}
			if !strings.Contains(out, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantStdout)
			}
			if !strings.Contains(errs, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errs, tt.wantStderr)
			}
		})
	}
}

// TestFactorsCommandHaltAndUniverse checks the calendar on a halted code
// against real Qlib's figure (issue 11: YAL's MA5 on 2018-10-09 is 1.0) and
// that every equity over every year streams without a cap.
func TestFactorsCommandHaltAndUniverse(t *testing.T) {
	pool := testdb.New(t)
	url := testenv.URLOf(t, pool)

	code, out, errs := runWithDB(t, url, "factors", "--set", "alpha158", "--symbols", "YAL", "--from", "2018-09-27", "--to", "2018-10-10")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ma5 := slices.Index(recs[0], "MA5")
	var days []string
	for _, r := range recs[1:] {
		days = append(days, r[0])
	}
	if got := strings.Join(days, " "); got != "2018-09-27 2018-10-09 2018-10-10" {
		t.Errorf("days = %s, want YAL's trading days only (it was halted 2018-09-28..10-08)", got)
	}
	if len(recs) > 2 && recs[2][ma5] != "1" {
		t.Errorf("MA5 on 2018-10-09 = %s, want 1 (Qlib: the window holds four halted slots)", recs[2][ma5])
	}

	// Every equity over every year: past the API's 20 symbols and 10 years.
	code, out, errs = runWithDB(t, url, "factors", "--expr", "Mean($close, 20)/$close", "--all")
	if code != 0 {
		t.Fatalf("--all: exit %d, stderr %s", code, errs)
	}
	lines := strings.Count(out, "\n")
	var bars int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM daily_bars d JOIN instruments i USING (code) WHERE i.kind = 'equity'`).Scan(&bars); err != nil {
		t.Fatal(err)
	}
	if lines != bars+1 {
		t.Errorf("--all wrote %d lines, want a header and one per equity bar (%d)", lines, bars)
	}
}

// TestRankICText: an unknown rolling Rank IC is said in words, not as NaN.
func TestRankICText(t *testing.T) {
	if got := rankICText(math.NaN()); !strings.HasPrefix(got, "not known yet") {
		t.Errorf("NaN: %q", got)
	}
	if got := rankICText(-0.01234); got != "-0.0123" {
		t.Errorf("-0.01234: %q", got)
	}
}

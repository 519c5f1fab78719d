package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestImport(t *testing.T) {
	pool := testdb.New(t)
	url := testenv.URLOf(t, pool)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	runImport := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		err := run(t.Context(), append([]string{"import"}, args...), func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		}, strings.NewReader(""), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	count := func() (n int) {
		_ = pool.QueryRow(t.Context(), `SELECT count(*) FROM daily_bars WHERE code = 'BHP' AND date >= '2026-07-01'`).Scan(&n)
		return n
	}
	good := write("BHP.AX.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2026-07-01,60,61,59.5,60.5,60.5,1000\n2026-07-02,60.5,62,60,61.9,61.9,2000\n")
	if code, out, errs := runImport("--format", "yahoo", good); code != 0 || !strings.Contains(out, "2 rows read, 2 new or changed") {
		t.Fatalf("good file: %d %q %q", code, out, errs)
	}
	if code, out, _ := runImport("--format", "yahoo", good); code != 0 || !strings.Contains(out, "0 new or changed") {
		t.Errorf("re-import is not idempotent: %q", out)
	}
	var source string
	_ = pool.QueryRow(t.Context(), `SELECT source FROM daily_bars WHERE code = 'BHP' AND date = '2026-07-01'`).Scan(&source)
	if source != "import" {
		t.Errorf("source = %q, want import", source)
	}

	bad := write("BHP.csv", "Date,Open,High,Low,Last,Volume\n03/07/2026,61,62,60,61.5,100\n06/07/2026,61,60,62,61.5,100\n07/07/2026,x,62,60,61.5,100\n")
	code, _, errs := runImport("--format", "asx", bad)
	if code != 2 || !strings.Contains(errs, "line 3: high 60 is below low 62") || !strings.Contains(errs, "line 4: open \"x\"") || !strings.Contains(errs, "nothing written") {
		t.Errorf("bad file: %d %q", code, errs)
	}
	if n := count(); n != 2 {
		t.Errorf("after a refused file %d rows, want 2 (nothing of it written)", n)
	}
	if code, out, _ := runImport("--format", "asx", "--skip-bad", bad); code != 0 || !strings.Contains(out, "1 rows read, 1 new or changed, 2 bad rows skipped") {
		t.Errorf("--skip-bad: %d %q", code, out)
	}
	unknown := write("ZZZ.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2026-07-01,1,1,1,1,1,1\n")
	if code, _, errs := runImport("--format", "yahoo", unknown); code != 2 || !strings.Contains(errs, `unknown instrument "ZZZ"`) {
		t.Errorf("unknown code: %d %q", code, errs)
	}
	if code, _, _ := runImport("--format", "csv", good); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
}

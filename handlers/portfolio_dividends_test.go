package handlers_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// TestTaxPageShowsShippedDividend: a paper holding of CBA bought the day
// before its 2024 interim's ex-date is paid on the pay date by the matcher's
// jobs; the FY2023-24 tax page and its CSV show the dividend and its
// franking credit, and name the held code (CSL) that has no dividend data.
func TestTaxPageShowsShippedDividend(t *testing.T) {
	app, b, clock := paperApp(t)
	clock.Set(time.Date(2024, 2, 20, 11, 0, 0, 0, asx.Sydney()))
	b.mustSignUp("income@example.com", "Ines Income")
	for i, o := range []struct {
		code, qty string
		px        float64
	}{{"CBA", "500", 115}, {"CSL", "10", 290}} {
		res := b.htmxPost("/portfolio/orders", url.Values{"code": {o.code}, "side": {"buy"}, "type": {"market"},
			"quantity": {o.qty}, "idempotency_key": {"div-" + string(rune('a'+i))}})
		if res.StatusCode != 200 {
			t.Fatalf("buy %s: %d %.300s", o.code, res.StatusCode, res.body)
		}
		mustTrade(t, app, clock, o.code, o.px)
	}
	clock.Set(time.Date(2024, 3, 28, 11, 0, 0, 0, asx.Sydney()))
	for range 2 { // the jobs run every few seconds: paying twice must not pay twice
		if err := app.Matcher.RunJobs(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	doc := mustDoc(t, b.get("/portfolio/tax?fy=2024").body)
	if got := strings.TrimSpace(doc.Find(`[data-testid="franking-credits"]`).Text()); got != "$460.71" { // 1,075 × 0.3 / 0.7
		t.Errorf("franking credits = %q, want $460.71", got)
	}
	rows := doc.Find(`[data-testid="dividends"] tbody tr`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "interim") || !strings.Contains(rows.Text(), "$1,075.00") {
		t.Errorf("dividend rows %d: %q", rows.Length(), rows.Text())
	}
	if got := doc.Find(`[data-testid="dividend-missing"]`).Text(); !strings.Contains(got, "No dividend data for CSL") {
		t.Errorf("missing-data note %q", got)
	}
	if got := doc.Find(`[data-testid="dividend-coverage"]`).Text(); !strings.Contains(got, "covers 10 codes only (ANZ, ASX, BHP, CBA,") {
		t.Errorf("coverage note %q", got)
	}
	csv := b.get("/portfolio/tax/cgt.csv?fy=2024")
	for _, want := range []string{"CBA interim,2024-02-21,2024-03-28,500,2.15,100,1075.00,460.71,1535.71",
		"Held codes without dividend data (not counted),,,,,,CSL,,"} {
		if !strings.Contains(csv.body, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv.body)
		}
	}
	if res := b.get("/portfolio/ledger"); !strings.Contains(res.body, "franking credits") || !strings.Contains(res.body, "100% franked (credit $460.71)") {
		t.Error("ledger lacks the franking credit lines")
	}
}

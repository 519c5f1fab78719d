package handlers_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

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
	// Gone ex, not paid yet: the dashboard counts it as due.
	clock.Set(time.Date(2024, 2, 22, 11, 0, 0, 0, asx.Sydney()))
	if got := strings.TrimSpace(mustDoc(t, b.get("/portfolio").body).Find(`[data-testid="dividends-receivable"]`).Text()); got != "$1,075.00" {
		t.Errorf("dividends due = %q, want $1,075.00", got)
	}
	clock.Set(time.Date(2024, 3, 28, 11, 0, 0, 0, asx.Sydney()))
	for range 2 { // the jobs run every 30 s: paying twice must not pay twice
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
	dash := mustDoc(t, b.get("/portfolio").body)
	if dash.Find(`[data-testid="dividends-receivable"]`).Length() != 0 {
		t.Error("dividends still due after the payment")
	}
	if got := dash.Find(`[data-testid="dividend-missing"]`).Text(); !strings.Contains(got, "No dividend data for CSL") || strings.Contains(got, "CBA") {
		t.Errorf("dashboard missing-data note %q", got)
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

// TestInstrumentDividends: CBA's page lists its shipped dividends with
// franking and the grossed-up amount; CSL's says it has no dividend data;
// the API gives the same, with null franking where the source stated none.
func TestInstrumentDividends(t *testing.T) {
	_, b, _ := paperApp(t)
	b.mustSignUp("divs@example.com", "D")
	doc := mustDoc(t, b.get("/instruments/CBA").body)
	panel := doc.Find(`[data-testid="instrument-dividends"]`)
	var interim string
	panel.Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
		if strings.HasPrefix(strings.TrimSpace(s.Find("td").First().Text()), "21 Feb 2024") {
			interim = strings.Join(s.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }), " | ")
		}
	})
	// $2.15 fully franked: credit 2.15 × 0.3 / 0.7 = 0.9214, grossed-up 3.0714.
	if want := "21 Feb 2024 | 28 Mar 2024 | interim | $2.1500 | 100 % | $0.9214 | $3.0714 | stockanalysis.com"; !strings.HasPrefix(interim, want) {
		t.Errorf("CBA 2024 interim row %q, want it to start %q", interim, want)
	}
	if rows := panel.Find("tbody tr").Length(); rows != 19 {
		t.Errorf("CBA rows %d, want 19", rows)
	}
	if !strings.Contains(panel.Text(), "19 dividends with ex-dates") || !strings.Contains(panel.Text(), "not stated") {
		t.Errorf("CBA summary: %q", panel.Text())
	}
	csl := mustDoc(t, b.get("/instruments/CSL").body)
	if got := csl.Find(`[data-testid="no-dividend-data"]`).Text(); !strings.Contains(got, "No dividend data for CSL") {
		t.Errorf("CSL note %q", got)
	}
	if xjo := mustDoc(t, b.get("/instruments/XJO").body); xjo.Find(`[data-testid="instrument-dividends"]`).Length() != 0 {
		t.Error("an index page lists dividends")
	}

	tok := b.mustAPIToken("divs-api@example.com", "A")
	code, body, _ := b.api("GET", "/api/v1/instruments/ASX/dividends", tok, "")
	if code != 200 {
		t.Fatalf("API: %d %s", code, body)
	}
	var got struct {
		HasData   bool `json:"has_data"`
		Dividends []struct {
			ExDate      string  `json:"ex_date"`
			Kind        string  `json:"kind"`
			Amount      string  `json:"amount_aud_per_share"`
			FrankingPct *string `json:"franking_pct"`
		} `json:"dividends"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || !got.HasData || len(got.Dividends) != 12 {
		t.Fatalf("ASX dividends: %v %s", err, body)
	}
	for _, d := range got.Dividends {
		if d.ExDate == "2020-03-05" && (d.FrankingPct != nil || d.Amount != "1.164") {
			t.Errorf("ASX 2020 interim %+v: franking should be null (not stated)", d)
		}
	}
	if code, body, _ := b.api("GET", "/api/v1/instruments/CSL/dividends", tok, ""); code != 200 || !strings.Contains(body, `"has_data":false`) {
		t.Errorf("CSL: %d %s", code, body)
	}
	if code, body, _ := b.api("GET", "/api/v1/dividends/coverage", tok, ""); code != 200 || strings.Count(body, `"code"`) != 10 {
		t.Errorf("coverage: %d %s", code, body)
	}
	if code, body, _ := b.api("GET", "/api/v1/tax/cgt", tok, ""); code != 200 || !strings.Contains(body, `"franking_not_stated":"0.00"`) ||
		!strings.Contains(body, `"held_codes_without_dividend_data":[]`) {
		t.Errorf("tax: %d %s", code, body)
	}
	if code, body, _ := b.api("GET", "/api/v1/portfolio", tok, ""); code != 200 || !strings.Contains(body, `"dividends_receivable":"0.00"`) {
		t.Errorf("portfolio: %d %s", code, body)
	}
}

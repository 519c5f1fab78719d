package handlers_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

var quantCodes = []string{"BHP", "CBA", "CSL", "WES", "NAB", "ANZ", "WBC", "FMG", "RIO", "TLS", "WOW", "GMG"}

var quantSegments = dataset.Segments{
	Train: dataset.DateRange{Start: testenv.Day(2019, 1, 1), End: testenv.Day(2020, 12, 31)},
	Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 6, 30)},
	Test:  dataset.DateRange{Start: testenv.Day(2021, 7, 1), End: testenv.Day(2022, 6, 30)},
}

// quantApp is an app whose feature store holds a dozen instruments and whose
// ridge model is trained, active and has scored the latest day.
func quantApp(t *testing.T, env map[string]string) *testapp.App {
	t.Helper()
	app := testapp.New(t, env)
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, testdb.QuantTables...)
	p := app.Quant
	if _, err := p.Store().Refresh(ctx, quantCodes); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: quantSegments, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ScoreDays(ctx, []time.Time{testenv.Date(t, "2026-06-03"), testenv.Date(t, "2026-06-04")}); err != nil {
		t.Fatal(err)
	}
	return app
}

func TestSignalsPageAndAPI(t *testing.T) {
	app := quantApp(t, nil)
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("q@example.com", "Q")
	res := b.get("/signals")
	rows := regexpAll(`<tr data-code="([A-Z0-9]+)">`, res.body)
	if res.StatusCode != 200 || len(rows) != len(quantCodes) || !strings.Contains(res.body, "Thu 4 Jun 2026") {
		t.Fatalf("signals page: %d, %d rows", res.StatusCode, len(rows))
	}
	if part := b.get("/signals?model=ridge&sector=Financials"); !strings.Contains(part.body, `data-code="CBA"`) || strings.Contains(part.body, `data-code="BHP"`) {
		t.Error("sector filter does not filter")
	}
	if chart := b.get("/instruments/BHP/candles.json?interval=1D&range=1y&overlay=ridge"); !strings.Contains(chart.body, `"overlay":{"model":"ridge","points":[{"time":"2026-06-03"`) {
		t.Errorf("score overlay: %.300s", chart.body)
	}
	if res := b.get("/signals?sector=Nope"); res.StatusCode != 400 {
		t.Errorf("unknown sector: %d", res.StatusCode)
	}

	tok := newBrowser(t, app, b.srv).mustAPIToken("qa@example.com", "QA")
	h := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	for _, path := range []string{"/api/v1/signals", "/api/trading/signals"} {
		rec := app.Do(t, "POST", path, strings.NewReader(`{"symbol":"bhp","model":"ridge"}`), h)
		var s pipeline.Signal
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil || rec.Code != 200 || s.Code != "BHP" || s.Rank < 1 || s.Rank > len(quantCodes) ||
			s.AsOf.Format(time.DateOnly) != "2026-06-04" || s.Percentile <= 0 || s.Percentile > 1 {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	for _, tt := range []struct{ body, want string }{
		{`{"symbol":"BHP","model":"lightgbm"}`, `available: ridge`},
		{`{"symbol":"NOPE","model":"ridge"}`, `unknown instrument NOPE`},
	} {
		rec := app.Do(t, "POST", "/api/v1/signals", strings.NewReader(tt.body), h)
		if rec.Code != 404 || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s", tt.body, rec.Code, rec.Body.String())
		}
	}
	if rec := app.Do(t, "POST", "/api/v1/signals", strings.NewReader(`{"model":"ridge"}`), h); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"symbol"`) {
		t.Errorf("missing symbol: %d %s", rec.Code, rec.Body.String())
	}
	rec := app.Do(t, "GET", "/api/v1/signals?model=ridge&top=3", nil, h)
	var rk pipeline.Ranking
	if err := json.Unmarshal(rec.Body.Bytes(), &rk); err != nil || len(rk.Rows) != 3 || rk.Rows[0].Rank != 1 || rk.PrevDate.Format(time.DateOnly) != "2026-06-03" {
		t.Errorf("ranking: %d %s", rec.Code, rec.Body.String())
	}
	if rec := app.Do(t, "GET", "/api/v1/models", nil, h); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"ridge"`) {
		t.Errorf("models: %d %s", rec.Code, rec.Body.String())
	}
	rec = app.Do(t, "GET", "/api/v1/factors?expr=Mean($close,5)/$close&symbols=BHP&from=2016-03-01&to=2016-03-31", nil, h)
	var fr struct {
		Names []string
		Rows  []struct {
			Date   string
			Symbol string
			Values []*float64
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fr); err != nil || rec.Code != 200 || len(fr.Rows) < 20 || fr.Rows[0].Values[0] == nil {
		t.Errorf("factors: %d %.300s", rec.Code, rec.Body.String())
	}
	if rec := app.Do(t, "GET", "/api/v1/factors?expr=Mean($close,&symbols=BHP&from=2016-03-01&to=2016-03-31", nil, h); rec.Code != 400 || !strings.Contains(rec.Body.String(), "position") {
		t.Errorf("parse error: %d %s", rec.Code, rec.Body.String())
	}
}

func TestModelPagesAndFactorLab(t *testing.T) {
	app := quantApp(t, nil)
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("m@example.com", "M")
	res := b.get("/models")
	ids := regexpAll(`href="/models/(\d+)"`, res.body)
	if len(ids) != 1 {
		t.Fatalf("models page: %v", ids)
	}
	res = b.get("/models/" + ids[0])
	for _, want := range []string{`data-testid="model-metrics"`, "Rank IC", `data-testid="ic-chart"`, `data-testid="quintiles"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("model page lacks %s", want)
		}
	}
	if res := b.get("/models/999999"); res.StatusCode != 404 {
		t.Errorf("unknown model: %d", res.StatusCode)
	}
	q := url.Values{"expr": {"Mean($close, 5)/$close"}, "code": {"BHP"}, "from": {"2025-01-01"}, "to": {"2025-06-30"}}
	req, _ := http.NewRequest("GET", b.srv.URL+"/factors/evaluate?"+q.Encode(), nil)
	req.Header.Set("HX-Request", "true")
	lab := b.do(req)
	if lab.StatusCode != 200 || !strings.Contains(lab.body, `data-testid="factor-ic"`) || strings.Contains(lab.body, "<html") {
		t.Fatalf("factor lab: %d %.300s", lab.StatusCode, lab.body)
	}
	if n := regexpAll(`over (\d+) days`, lab.body); len(n) != 1 || n[0] == "0" {
		t.Errorf("factor lab days: %v", n)
	}
	q.Set("expr", "Mean($close, 5)) / $close")
	bad := b.get("/factors?" + q.Encode())
	if bad.StatusCode != 200 || !strings.Contains(bad.body, `data-testid="parse-error"`) || !strings.Contains(bad.body, "^ ") {
		t.Errorf("parse error: %d %.500s", bad.StatusCode, bad.body)
	}
	q.Set("expr", "$close")
	q.Set("from", "soon")
	if res := b.get("/factors/evaluate?" + q.Encode()); res.StatusCode != 400 {
		t.Errorf("bad date: %d", res.StatusCode)
	}
}

func TestAdminTrainJobAndUpload(t *testing.T) {
	app := quantApp(t, map[string]string{"JOBS_ENABLED": "true"})
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("admin@example.com", "Admin")
	u, _ := app.Users.FindUser(t.Context(), "admin@example.com")
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	b.get("/admin/models")
	res := b.post("/admin/models/train", url.Values{"kind": {"ridge"}, "name": {"ridge-web"}, "train": {quantSegments.Train.String()},
		"valid": {quantSegments.Valid.String()}, "test": {quantSegments.Test.String()}, "activate": {"1"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/jobs/") {
		t.Fatalf("train: %d %s %.300s", res.StatusCode, loc, res.body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest("GET", b.srv.URL+loc, nil)
		req.Header.Set("HX-Request", "true")
		job := b.do(req)
		if strings.Contains(job.body, `data-state="completed"`) {
			if !strings.Contains(job.body, "See the model") {
				t.Errorf("completed job links no model: %s", job.body)
			}
			break
		}
		if strings.Contains(job.body, `data-state="discarded"`) || time.Now().After(deadline) {
			t.Fatalf("job did not complete: %s", job.body)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if res := b.post("/admin/models/train", url.Values{"kind": {"ridge"}, "train": {"2030-01-01:2031-01-01"}, "valid": {"2031-02-01:2031-03-01"}, "test": {"2031-04-01:2031-05-01"}}); res.StatusCode != 422 || !strings.Contains(res.body, "outside the data") {
		t.Errorf("training outside the data: %d %.400s", res.StatusCode, res.body)
	}
	if res := b.post("/admin/models/train", url.Values{"kind": {"ridge"}, "label": {"weekly"}, "train": {quantSegments.Train.String()},
		"valid": {quantSegments.Valid.String()}, "test": {quantSegments.Test.String()}}); res.StatusCode != 422 ||
		mustDoc(t, res.body).Find(`[data-testid="error-label"]`).Length() != 1 {
		t.Errorf("training on an unknown label: %d %.400s", res.StatusCode, res.body)
	}

	upload := func(features []string) response {
		blob, _ := modeltest.LightGBMText(7, alpha158.Names(), 10, 6)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("_csrf", b.csrf)
		_ = mw.WriteField("features", strings.Join(features, ","))
		_ = mw.WriteField("test", quantSegments.Test.String())
		fw, _ := mw.CreateFormFile("model", "model.txt")
		_, _ = fw.Write(blob)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", b.srv.URL+"/admin/models/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return b.do(req)
	}
	names := alpha158.Names()
	swapped := append([]string{names[1], names[0]}, names[2:]...)
	if res := upload(swapped); res.StatusCode != 422 || !strings.Contains(res.body, "out of order") {
		t.Errorf("mismatched features: %d %.400s", res.StatusCode, res.body)
	}
	if res := upload(names); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/models/") {
		t.Errorf("upload: %d %.300s", res.StatusCode, res.body)
	}
}

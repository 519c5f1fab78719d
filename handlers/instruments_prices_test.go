package handlers_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The instrument chart shows adjusted daily history by default, with a Raw
// toggle that the panel's links and its candle source keep.
func TestChartPricesToggle(t *testing.T) {
	_, b := servedApp(t, nil)
	b.mustSignUp("chart@example.com", "Chart")

	page := b.get("/instruments/REH")
	if page.StatusCode != 200 || !strings.Contains(page.body, `data-testid="prices"`) ||
		!strings.Contains(page.body, `class="active" data-prices="adjusted"`) || !strings.Contains(page.body, "&amp;prices=adjusted") {
		t.Fatalf("instrument page: %d; want the prices toggle with Adjusted active and an adjusted candle source", page.StatusCode)
	}
	if !strings.Contains(page.body, `data-testid="instrument-corporate-actions"`) || !strings.Contains(page.body, "<td>18 Dec 2017</td><td>split</td>") {
		t.Error("the instrument page does not list REH's split")
	}
	part := b.htmxGet("/instruments/REH/chart?interval=1D&range=max&prices=raw")
	if part.StatusCode != 200 || !strings.Contains(part.body, `class="active" data-prices="raw"`) ||
		!strings.Contains(part.body, "prices=raw") || strings.Contains(part.body, "<html") {
		t.Fatalf("raw chart partial: %d %.400s", part.StatusCode, part.body)
	}
	// The interval links keep raw prices.
	if !strings.Contains(part.body, "/instruments/REH/chart?interval=1W&amp;prices=raw") {
		t.Error("interval links drop prices=raw")
	}
	if bad := b.htmxGet("/instruments/REH/chart?prices=adjustd"); bad.StatusCode != 400 {
		t.Errorf("prices=adjustd: %d, want 400", bad.StatusCode)
	}

	closeOn := func(prices, day string) float64 {
		t.Helper()
		res := b.get("/instruments/REH/candles.json?interval=1D&range=max&prices=" + prices)
		var body struct {
			Bars []struct {
				Time  string  `json:"time"`
				Close float64 `json:"close"`
			} `json:"bars"`
		}
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			t.Fatalf("candles.json: %v %.200s", err, res.body)
		}
		for _, bar := range body.Bars {
			if bar.Time == day {
				return bar.Close
			}
		}
		t.Fatalf("no %s bar in %s candles", day, prices)
		return 0
	}
	raw, adj := closeOn("raw", "2017-12-15"), closeOn("adjusted", "2017-12-15")
	if raw != 47.77 || adj != 47.77*0.2 {
		t.Errorf("REH 2017-12-15 close raw %v, adjusted %v; want 47.77 and 47.77 × 0.2", raw, adj)
	}
}

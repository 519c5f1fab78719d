package handlers_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// checkContains reports (and goes on) when body lacks want.
func checkContains(t *testing.T, body, want string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Errorf("body does not contain %q; body starts: %.400s", want, body)
	}
}

func mustStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body: %.500s", rec.Code, want, rec.Body.String())
	}
}

func mustJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %.300s", err, body)
	}
	return m
}

func mustDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func testutilCounter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// regexpAll returns the distinct first groups of pattern's matches in order.
func regexpAll(pattern, s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func stripCSRF(body string) string {
	return regexp.MustCompile(`value="[A-Za-z0-9_-]{40,}"`).ReplaceAllString(body, "")
}

var paramRe = regexp.MustCompile(`:[a-z_]+|\*`)

// concretePath turns a route template into a requestable path.
func concretePath(p string) string {
	return paramRe.ReplaceAllStringFunc(p, func(s string) string {
		if s == "*" {
			return "x"
		}
		return "BHP"
	})
}

package handlers_test

import (
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/views/display"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func formatIndex(v float64) string { return display.Index(v) }

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

package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/lease"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestFactorLabLimits: an expression over the cost budget is refused with
// its cost named, and a user's second evaluation while one runs (on any
// machine) gets 429 with Retry-After.
func TestFactorLabLimits(t *testing.T) {
	// A long timeout: loading every bar is slow under the race detector.
	app := testapp.New(t, map[string]string{"FACTOR_LAB_TIMEOUT": "25s"})
	b := newBrowser(t, app, app.Serve(t))
	b.mustSignUp("lab@example.com", "L")
	evaluate := func(expr string) response {
		t.Helper()
		q := url.Values{"expr": {expr}, "code": {"BHP"}, "from": {"2023-06-05"}, "to": {"2026-06-04"}}
		req, _ := http.NewRequest("GET", b.srv.URL+"/factors/evaluate?"+q.Encode(), nil)
		req.Header.Set("HX-Request", "true")
		return b.do(req)
	}

	terms := make([]string, 111)
	for i := range terms {
		terms[i] = fmt.Sprintf("Rank($close,%d)", 2000+i)
	}
	res := evaluate(strings.Join(terms, "+"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "estimated cost is") || !strings.Contains(res.body, "the limit is 4.0 billion") {
		t.Errorf("over budget: %d %.600s", res.StatusCode, res.body)
	}

	// Another machine holds this user's run: the key is the user's id
	// under the deployment's prefix, as internal/server builds the pool.
	u, err := app.Users.FindUser(t.Context(), "lab@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other := lease.New(app.Redis, app.Config.RedisPrefix+"lab:", 1, time.Minute)
	held, err := other.Acquire(t.Context(), strconv.FormatInt(u.ID, 10))
	if err != nil || held == nil {
		t.Fatalf("hold the run: %v %v", held, err)
	}
	res = evaluate("Mean($close, 5)/$close")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "25" || !strings.Contains(res.body, "still running") {
		t.Errorf("second run: %d Retry-After %q %.300s", res.StatusCode, res.Header.Get("Retry-After"), res.body)
	}
	held.Release()
	if res = evaluate("Mean($close, 5)/$close"); res.StatusCode != http.StatusOK {
		t.Errorf("after the first run ended: %d %.300s", res.StatusCode, res.body)
	}
	// The run's own lease is given back when it ends.
	if n, err := other.Count(t.Context(), strconv.FormatInt(u.ID, 10)); err != nil || n != 0 {
		t.Errorf("leases left after the run: %d %v", n, err)
	}
}

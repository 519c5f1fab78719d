package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// limitsCounter reads a Prometheus counter.
func limitsCounter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// limitsAnswer is one response of a parallel burst: status and Retry-After.
type limitsAnswer struct {
	status     int
	retryAfter int
}

// postAll sends n form posts at once from browser b's session (its cookies
// and CSRF token), the i-th from client address ip(i), and returns the
// answers. b itself is only read, so the burst is race-free.
func postAll(t *testing.T, b *browser, n int, path string, form func(i int) url.Values, ip func(i int) string) []limitsAnswer {
	t.Helper()
	out := make([]limitsAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			v := form(i)
			v.Set("_csrf", b.csrf)
			req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if ip != nil {
				req.Header.Set("X-Forwarded-For", ip(i))
			}
			<-start
			res, err := b.c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			ra, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			out[i] = limitsAnswer{res.StatusCode, ra}
		})
	}
	close(start)
	wg.Wait()
	return out
}

// tally counts answers by status and checks every 429 and 503 carries a
// Retry-After.
func tally(t *testing.T, answers []limitsAnswer) map[int]int {
	t.Helper()
	n := map[int]int{}
	for _, a := range answers {
		n[a.status]++
		if (a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable) && a.retryAfter < 1 {
			t.Errorf("%d without Retry-After", a.status)
		}
	}
	return n
}

func TestParallelSignInGuessesAreThrottled(t *testing.T) {
	// A long hashing wait: only the throttle refuses here, even when the
	// race detector makes each check slow.
	app, b := servedApp(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "PASSWORD_HASH_WAIT": "30s"})
	b.mustSignUp("erin@example.com", "Erin")
	b.post("/signout", nil)
	b.get("/signin")

	t.Run("OneAccountOneIP", func(t *testing.T) {
		before := app.Hashing.Completed()
		got := tally(t, postAll(t, b, 30, "/signin",
			func(i int) url.Values {
				return url.Values{"email": {"erin@example.com"}, "password": {"wrong guess " + strconv.Itoa(i)}}
			},
			func(int) string { return "198.51.100.7" }))
		verified := app.Hashing.Completed() - before
		if verified > 6 || got[http.StatusUnauthorized] != int(verified) || got[http.StatusTooManyRequests] != 30-int(verified) {
			t.Errorf("30 parallel guesses: %v with %d passwords verified; want at most 6 verified (5 free + 1), the rest 429", got, verified)
		}
	})
	t.Run("APILogin", func(t *testing.T) {
		before := app.Hashing.Completed()
		answers := make([]limitsAnswer, 30)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				rec := app.Do(t, "POST", "/api/v1/auth/login",
					strings.NewReader(`{"email":"erin@example.com","password":"wrong guess `+strconv.Itoa(i)+`"}`),
					map[string]string{"Content-Type": "application/json"})
				ra, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
				answers[i] = limitsAnswer{rec.Code, ra}
			})
		}
		wg.Wait()
		got := tally(t, answers)
		if verified := app.Hashing.Completed() - before; verified > 6 || got[http.StatusUnauthorized] > 6 {
			t.Errorf("30 parallel API logins: %v with %d passwords verified, want at most 6", got, verified)
		}
	})
	t.Run("OneIPManyAccounts", func(t *testing.T) {
		before := app.Hashing.Completed()
		got := tally(t, postAll(t, b, 60, "/signin",
			func(i int) url.Values {
				return url.Values{"email": {"nobody" + strconv.Itoa(i) + "@example.com"}, "password": {"wrong guess"}}
			},
			func(int) string { return "198.51.100.8" }))
		verified := app.Hashing.Completed() - before
		if verified > 50 || got[http.StatusUnauthorized] > 50 || got[http.StatusTooManyRequests] < 10 {
			t.Errorf("60 parallel guesses on 60 accounts from one IP: %v with %d verified; want at most 50 (the IP limit)", got, verified)
		}
	})
}

func TestPasswordHashingSlotsFull(t *testing.T) {
	app, b := servedApp(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1",
		"PASSWORD_HASH_CONCURRENCY": "1", "PASSWORD_HASH_WAIT": "0s"})
	b.get("/signin")
	got := tally(t, postAll(t, b, 20, "/signin",
		func(i int) url.Values {
			return url.Values{"email": {"someone" + strconv.Itoa(i) + "@example.com"}, "password": {"any guess at all"}}
		},
		func(i int) string { return "203.0.113." + strconv.Itoa(i+1) }))
	if app.Hashing.Peak() != 1 {
		t.Errorf("%d hashes ran at once, want 1", app.Hashing.Peak())
	}
	if got[http.StatusServiceUnavailable] == 0 || got[http.StatusServiceUnavailable]+got[http.StatusUnauthorized] != 20 {
		t.Errorf("20 parallel sign-ins with one hashing slot: %v; want some 503 and the rest 401", got)
	}
	if n := limitsCounter(t, app.Metrics.AuthRefused.WithLabelValues("password_hash")); int(n) != got[http.StatusServiceUnavailable] {
		t.Errorf("auth_requests_refused_total{limit=password_hash} = %v, want %d", n, got[http.StatusServiceUnavailable])
	}
}

func TestSettingsPasswordChecksAreThrottled(t *testing.T) {
	app, b := servedApp(t, map[string]string{"PASSWORD_HASH_WAIT": "30s"})
	b.mustSignUp("settings@example.com", "Sam")
	for i := 1; i <= 6; i++ {
		res := b.post("/settings/password", url.Values{"current": {"wrong current " + strconv.Itoa(i)}, "password": {"another long passphrase 99"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d: %d, want 422", i, res.StatusCode)
		}
	}
	res := b.post("/settings/password", url.Values{"current": {testPassword}, "password": {"another long passphrase 99"}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(res.body, "Too many wrong passwords") {
		t.Fatalf("7th check: %d Retry-After %q; want 429 with Retry-After and the message in the form", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// The lock is the user's: deleting the account needs the same check.
	if res := b.post("/settings/delete", url.Values{"password": {testPassword}}); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("delete while locked: %d, want 429", res.StatusCode)
	}
	if res := b.get("/settings"); res.StatusCode != http.StatusOK {
		t.Errorf("the account is gone or signed out: %d", res.StatusCode)
	}
	if n := limitsCounter(t, app.Metrics.AuthRefused.WithLabelValues("password_check")); n != 2 {
		t.Errorf("auth_requests_refused_total{limit=password_check} = %v, want 2", n)
	}
}

func TestParallelSettingsPasswordGuesses(t *testing.T) {
	for _, tt := range []struct{ path, field string }{
		{"/settings/password", "current"},
		{"/settings/delete", "password"},
	} {
		t.Run(strings.TrimPrefix(tt.path, "/settings/"), func(t *testing.T) {
			app, b := servedApp(t, map[string]string{"PASSWORD_HASH_WAIT": "30s"})
			b.mustSignUp("guess@example.com", "Gus")
			before := app.Hashing.Completed()
			got := tally(t, postAll(t, b, 30, tt.path,
				func(i int) url.Values {
					// For /settings/password, password is the new one; the wrong current one stops it first.
					return url.Values{"password": {"wrong guess " + strconv.Itoa(i)}, tt.field: {"wrong guess " + strconv.Itoa(i)}}
				}, nil))
			verified := app.Hashing.Completed() - before
			if verified > 6 || got[http.StatusUnprocessableEntity] != int(verified) || got[http.StatusTooManyRequests] != 30-int(verified) {
				t.Errorf("30 parallel wrong passwords: %v with %d verified; want at most 6, the rest 429", got, verified)
			}
			if res := b.get("/settings"); res.StatusCode != http.StatusOK {
				t.Errorf("after the burst: %d", res.StatusCode)
			}
		})
	}
}

func TestResetRequestsLimitedPerIP(t *testing.T) {
	app, b := servedApp(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "RESET_REQUESTS_PER_IP": "3"})
	b.ip = "198.51.100.20"
	b.get("/forgot")
	for i := 1; i <= 3; i++ {
		if res := b.post("/forgot", url.Values{"email": {"someone" + strconv.Itoa(i) + "@example.com"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
	}
	res := b.post("/forgot", url.Values{"email": {"someone4@example.com"}})
	ra, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	if res.StatusCode != http.StatusTooManyRequests || ra < 3000 || ra > 3600 || !strings.Contains(res.body, "Too many password-reset requests") {
		t.Errorf("4th request: %d, Retry-After %q; want 429 for the rest of the hour", res.StatusCode, res.Header.Get("Retry-After"))
	}
	b.ip = "198.51.100.21"
	if res := b.post("/forgot", url.Values{"email": {"someone5@example.com"}}); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d", res.StatusCode)
	}
	if n := limitsCounter(t, app.Metrics.AuthRefused.WithLabelValues("reset_ip")); n != 1 {
		t.Errorf("auth_requests_refused_total{limit=reset_ip} = %v, want 1", n)
	}
}

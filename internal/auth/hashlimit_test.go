package auth_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestHashLimiterBoundsConcurrency(t *testing.T) {
	var refusedHook atomic.Int64
	l := auth.NewHashLimiter(2, 20*time.Millisecond, func() { refusedHook.Add(1) })
	var (
		running, peak atomic.Int64
		mu            sync.Mutex
		refused       []time.Duration // how long each refusal took
		wg            sync.WaitGroup
		start         = make(chan struct{})
	)
	for range 12 {
		wg.Go(func() {
			<-start
			began := time.Now()
			err := l.Do(context.Background(), func() {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(150 * time.Millisecond) // a slow hash: nobody else gets a slot in time
				running.Add(-1)
			})
			if err == nil {
				return
			}
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.Unavailable || ae.RetryAfter <= 0 {
				t.Errorf("refusal = %v, want Unavailable with RetryAfter", err)
			}
			mu.Lock()
			refused = append(refused, time.Since(began))
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Errorf("%d hashes ran at once, want at most 2", p)
	}
	if l.Peak() > 2 || l.Completed() != 2 {
		t.Errorf("limiter peak %d, completed %d; want ≤ 2 and 2", l.Peak(), l.Completed())
	}
	if len(refused) != 10 || refusedHook.Load() != 10 {
		t.Errorf("%d refused (hook %d), want 10", len(refused), refusedHook.Load())
	}
	for _, d := range refused {
		if d > 120*time.Millisecond {
			t.Errorf("a refusal took %s; it must come after the 20ms wait, not after a slot frees", d)
		}
	}
}

func TestHashLimiterWaitsBriefly(t *testing.T) {
	l := auth.NewHashLimiter(1, time.Second, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- l.Do(context.Background(), func() { time.Sleep(20 * time.Millisecond) }) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a short queue within the wait was refused: %v", err)
		}
	}
	if l.Peak() != 1 {
		t.Errorf("peak %d, want 1", l.Peak())
	}
}

// limitedService is an account service with its own throttle policy and
// hashing limiter.
func limitedService(t *testing.T, p auth.ThrottlePolicy, h *auth.HashLimiter) *auth.Service {
	t.Helper()
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	mail := testenv.NewSMTPServer(t)
	svc := auth.NewService(pool, auth.NewThrottle(rdb, prefix, p), notify.NewSMTPMailer(notify.SMTPConfig{Host: mail.Host, Port: mail.Port, From: "Qlib Pro <noreply@qlibpro.test>"}),
		slog.New(slog.NewTextHandler(io.Discard, nil)), auth.Options{BaseURL: "https://qlibpro.test", Hashing: h})
	t.Cleanup(svc.Wait)
	return svc
}

// authenticateAll runs the sign-ins at once and counts the answers by code.
func authenticateAll(t *testing.T, svc *auth.Service, n int, email func(int) string, password string, ip func(int) string) map[apperr.Code]int {
	t.Helper()
	var (
		mu    sync.Mutex
		codes = map[apperr.Code]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := svc.Authenticate(context.Background(), email(i), password, auth.Meta{IP: ip(i)})
			code := apperr.Code("ok")
			if err != nil {
				code = apperr.CodeOf(err)
				if ae, _ := apperr.As(err); (code == apperr.TooManyRequests || code == apperr.Unavailable) && ae.RetryAfter <= 0 {
					t.Errorf("%s without RetryAfter", code)
				}
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return codes
}

func TestParallelGuessesAreThrottledBeforeHashing(t *testing.T) {
	p := testPolicy
	p.IPFree = 15
	p.PairBase = 30 * time.Second                           // the lock outlasts the slow parallel checks (race detector)
	hashing := auth.NewHashLimiter(64, 10*time.Second, nil) // never refuses here: only the throttle limits
	svc := limitedService(t, p, hashing)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "erin@example.com", Name: "Erin", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}

	t.Run("OneAccountOneIP", func(t *testing.T) {
		before := hashing.Completed()
		codes := authenticateAll(t, svc, 30, func(int) string { return "erin@example.com" }, "wrong password guess",
			func(int) string { return "10.3.0.1" })
		verified := hashing.Completed() - before
		if want := p.PairFree + 1; verified > want {
			t.Errorf("30 parallel guesses: %d passwords verified, want at most %d", verified, want)
		}
		if codes[apperr.Unauthorized] != int(verified) || codes[apperr.TooManyRequests] != 30-int(verified) {
			t.Errorf("answers %v for %d verifications", codes, verified)
		}
	})
	t.Run("OneIPManyAccounts", func(t *testing.T) {
		before := hashing.Completed()
		codes := authenticateAll(t, svc, 40, func(i int) string { return "spray" + strconv.Itoa(i) + "@example.com" }, "wrong password guess",
			func(int) string { return "10.3.0.2" })
		verified := hashing.Completed() - before
		if verified > p.IPFree {
			t.Errorf("40 parallel guesses on 40 accounts: %d passwords verified, want at most %d", verified, p.IPFree)
		}
		if codes[apperr.TooManyRequests] < 40-int(p.IPFree) {
			t.Errorf("answers %v", codes)
		}
	})
}

func TestHashingSlotsBoundSignIns(t *testing.T) {
	hashing := auth.NewHashLimiter(1, 0, nil)
	p := testPolicy
	p.AccountFree = 100 // 12 addresses on one account: only the hashing slots limit here
	svc := limitedService(t, p, hashing)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "busy@example.com", Name: "Busy", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	codes := authenticateAll(t, svc, 12, func(int) string { return "busy@example.com" }, "wrong password guess",
		func(i int) string { return "10.4.0." + strconv.Itoa(i) })
	if hashing.Peak() != 1 {
		t.Errorf("%d hashes at once, want 1", hashing.Peak())
	}
	if codes[apperr.Unavailable] == 0 || codes[apperr.Unavailable]+codes[apperr.Unauthorized] != 12 {
		t.Errorf("answers %v, want some Unavailable and the rest Unauthorized", codes)
	}
}

func TestRefusedForBusyCostsNoAttempt(t *testing.T) {
	hashing := auth.NewHashLimiter(1, 0, nil)
	svc := limitedService(t, testPolicy, hashing)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "typo@example.com", Name: "Typo", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	// Something else holds the only slot while the owner retries ten times.
	held, release := make(chan struct{}), make(chan struct{})
	go func() { _ = hashing.Do(ctx, func() { close(held); <-release }) }()
	<-held
	for i := range 10 {
		if _, err := svc.Authenticate(ctx, "typo@example.com", goodPassword, auth.Meta{IP: "10.5.0.1"}); apperr.CodeOf(err) != apperr.Unavailable {
			t.Fatalf("attempt %d while busy: %v, want Unavailable", i+1, err)
		}
	}
	close(release)
	for hashing.InUse() > 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := svc.Authenticate(ctx, "typo@example.com", goodPassword, auth.Meta{IP: "10.5.0.1"}); err != nil {
		t.Errorf("sign-in once the server is free: %v; refused attempts must not count", err)
	}
}

package auth_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// testPolicy is small and fast: 3 free failures per pair, then 200 ms
// doubling; 6 per account; 10 per IP.
var testPolicy = auth.ThrottlePolicy{Window: time.Minute, PairFree: 3, PairBase: 200 * time.Millisecond, PairMax: time.Second,
	AccountFree: 6, AccountLock: 3 * time.Second, IPFree: 10, IPLock: time.Minute, TrustFor: time.Hour}

func mustThrottle(t *testing.T, p auth.ThrottlePolicy) *auth.Throttle {
	t.Helper()
	rdb, prefix := testenv.Redis(t)
	return auth.NewThrottle(rdb, prefix, p)
}

func mustBegin(t *testing.T, th *auth.Throttle, subject, ip string) auth.Attempt {
	t.Helper()
	a, err := th.Begin(context.Background(), subject, ip)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestThrottlePolicy(t *testing.T) {
	ctx := context.Background()
	pairOnly := testPolicy
	pairOnly.AccountFree = 100 // the account-wide lock is tested on its own below
	th := mustThrottle(t, pairOnly)
	const email = "owner@example.com"

	t.Run("PairBackoff", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			if a := mustBegin(t, th, email, "10.0.0.1"); a.Wait != 0 || a.Locks != 0 {
				t.Fatalf("attempt %d: wait %s, locks %s; the first 3 are free", i, a.Wait, a.Locks)
			}
		}
		if a := mustBegin(t, th, email, "10.0.0.1"); a.Wait != 0 || a.Locks != 200*time.Millisecond {
			t.Errorf("4th attempt: wait %s, locks %s; want it checked, locking for 200ms", a.Wait, a.Locks)
		}
		if a := mustBegin(t, th, email, "10.0.0.1"); a.Wait <= 0 || a.Wait > 200*time.Millisecond {
			t.Errorf("5th attempt at once: wait %s, want refused for up to 200ms", a.Wait)
		}
		if a := mustBegin(t, th, email, "10.0.0.2"); a.Wait != 0 {
			t.Errorf("another IP waits %s; the pair lock must not spread", a.Wait)
		}
		time.Sleep(250 * time.Millisecond)
		if a := mustBegin(t, th, email, "10.0.0.1"); a.Wait != 0 || a.Locks != 400*time.Millisecond {
			t.Errorf("after the lock: wait %s, locks %s; want 400ms (doubling)", a.Wait, a.Locks)
		}
	})
	t.Run("ResetAfterSuccess", func(t *testing.T) {
		time.Sleep(450 * time.Millisecond)
		a := mustBegin(t, th, email, "10.0.0.1")
		if a.Wait != 0 {
			t.Fatalf("wait %s", a.Wait)
		}
		if err := th.Succeed(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a := mustBegin(t, th, email, "10.0.0.1"); a.Wait != 0 || a.Locks != 0 {
			t.Errorf("first attempt after success: wait %s, locks %s", a.Wait, a.Locks)
		}
	})
	t.Run("CancelTakesTheAttemptBack", func(t *testing.T) {
		const who = "busy@example.com"
		for i := 0; i < 3; i++ {
			a := mustBegin(t, th, who, "10.0.0.3")
			if i == 2 {
				if err := th.Cancel(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		if a := mustBegin(t, th, who, "10.0.0.3"); a.Locks != 0 {
			t.Errorf("3rd counted attempt locks for %s; the cancelled one must not count", a.Locks)
		}
		if a := mustBegin(t, th, who, "10.0.0.3"); a.Locks == 0 {
			t.Error("4th counted attempt does not lock")
		}
	})
	t.Run("AccountLockIsShortAndSparesTheOwner", func(t *testing.T) {
		th := mustThrottle(t, testPolicy)
		const victim = "victim@example.com"
		if err := th.Succeed(ctx, mustBegin(t, th, victim, "192.0.2.10")); err != nil { // the owner's usual address
			t.Fatal(err)
		}
		var a auth.Attempt
		for i := 1; i <= 6; i++ {
			a = mustBegin(t, th, victim, "203.0.113."+strconv.Itoa(i)) // an attacker rotating addresses
		}
		if a.Wait != 0 || a.Locks != 3*time.Second {
			t.Errorf("6th attempt: wait %s, locks %s; want the short 3s account lock", a.Wait, a.Locks)
		}
		if a := mustBegin(t, th, victim, "203.0.113.99"); a.Wait <= 0 || a.Wait > 3*time.Second {
			t.Errorf("new attacker address waits %s, want the short account lock", a.Wait)
		}
		if a := mustBegin(t, th, victim, "192.0.2.10"); a.Wait != 0 {
			t.Errorf("owner's own address waits %s; it must not be locked out", a.Wait)
		}
	})
	t.Run("SuccessDoesNotCountTowardsTheIPLock", func(t *testing.T) {
		th := mustThrottle(t, testPolicy)
		for i := 0; i < 20; i++ {
			if err := th.Succeed(ctx, mustBegin(t, th, "u"+strconv.Itoa(i)+"@example.com", "10.0.0.9")); err != nil {
				t.Fatal(err)
			}
		}
		if a := mustBegin(t, th, "other@example.com", "10.0.0.9"); a.Wait != 0 {
			t.Errorf("after 20 good sign-ins the address waits %s", a.Wait)
		}
	})
}

// beginAll starts n attempts at once and returns how many were let through
// to the password check and the refusals' waits.
func beginAll(t *testing.T, th *auth.Throttle, n int, subject func(int) string, ip string) (int, []time.Duration) {
	t.Helper()
	var (
		mu      sync.Mutex
		checked int
		waits   []time.Duration
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			a, err := th.Begin(context.Background(), subject(i), ip)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case a.Wait == 0:
				checked++
			default:
				waits = append(waits, a.Wait)
			}
		})
	}
	close(start)
	wg.Wait()
	return checked, waits
}

func TestThrottleUnderConcurrency(t *testing.T) {
	t.Run("OnePair", func(t *testing.T) {
		th := mustThrottle(t, testPolicy)
		checked, waits := beginAll(t, th, 30, func(int) string { return "erin@example.com" }, "10.1.0.1")
		if want := int(testPolicy.PairFree) + 1; checked != want {
			t.Errorf("30 parallel attempts on one account from one IP: %d let through, want %d", checked, want)
		}
		for _, w := range waits {
			if w <= 0 || w > testPolicy.PairMax {
				t.Errorf("refusal waits %s", w)
			}
		}
	})
	t.Run("OneIPAcrossAccounts", func(t *testing.T) {
		th := mustThrottle(t, testPolicy)
		checked, waits := beginAll(t, th, 40, func(i int) string { return "spray" + strconv.Itoa(i) + "@example.com" }, "10.1.0.2")
		if want := int(testPolicy.IPFree); checked != want {
			t.Errorf("40 parallel attempts on 40 accounts from one IP: %d let through, want %d", checked, want)
		}
		if len(waits) != 40-checked {
			t.Errorf("%d refusals", len(waits))
		}
	})
}

func TestThrottleLimit(t *testing.T) {
	th := mustThrottle(t, testPolicy)
	ctx := context.Background()
	for i := 1; i <= 2; i++ {
		if w, err := th.Limit(ctx, "signup:ip:10.2.0.1", 2, time.Minute); err != nil || w != 0 {
			t.Fatalf("use %d: wait %s, %v", i, w, err)
		}
	}
	if w, _ := th.Limit(ctx, "signup:ip:10.2.0.1", 2, time.Minute); w <= 55*time.Second || w > time.Minute {
		t.Errorf("3rd use waits %s, want about the rest of the minute", w)
	}
	if ok, _ := th.Allow(ctx, "signup:ip:10.2.0.2", 2, time.Minute); !ok {
		t.Error("another key is limited")
	}
}

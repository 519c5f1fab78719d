package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// ThrottlePolicy sets the brute-force defence. Failures are counted per
// (account, IP) pair, per account and per IP over Window:
//   - the pair is locked with exponential backoff (PairBase × 2^(n−PairFree−1),
//     up to PairMax) once it has more than PairFree failures: one attacker on
//     one account slows down fast;
//   - the account as a whole is locked only briefly (AccountLock, short on
//     purpose) after AccountFree failures from any addresses, and never for
//     an address the owner signed in from within TrustFor: an attacker cannot
//     lock the owner out from another IP;
//   - the IP is locked for IPLock after IPFree failures across accounts.
type ThrottlePolicy struct {
	Window      time.Duration
	PairFree    int64
	PairBase    time.Duration
	PairMax     time.Duration
	AccountFree int64
	AccountLock time.Duration
	IPFree      int64
	IPLock      time.Duration
	TrustFor    time.Duration
}

// DefaultThrottle is the production policy.
var DefaultThrottle = ThrottlePolicy{
	Window:   15 * time.Minute,
	PairFree: 5, PairBase: 30 * time.Second, PairMax: 15 * time.Minute,
	AccountFree: 20, AccountLock: time.Minute,
	IPFree: 50, IPLock: 15 * time.Minute,
	TrustFor: 30 * 24 * time.Hour,
}

// Throttle keeps sign-in failure counters and locks in Redis, shared by every
// machine.
type Throttle struct {
	rdb    *redis.Client
	prefix string
	policy ThrottlePolicy
}

// NewThrottle returns a throttle whose keys live under prefix.
func NewThrottle(rdb *redis.Client, prefix string, p ThrottlePolicy) *Throttle {
	return &Throttle{rdb: rdb, prefix: prefix + "throttle:", policy: p}
}

func emailKey(email string) string {
	sum := sha256.Sum256([]byte(email))
	return hex.EncodeToString(sum[:12])
}

func (t *Throttle) keys(email, ip string) (pair, acct, addr string) {
	e := emailKey(email)
	return t.prefix + "pair:" + e + ":" + ip, t.prefix + "acct:" + e, t.prefix + "ip:" + ip
}

// Wait returns how long the caller must wait before trying email from ip
// again; zero means go ahead.
func (t *Throttle) Wait(ctx context.Context, email, ip string) (time.Duration, error) {
	pair, acct, addr := t.keys(email, ip)
	pipe := t.rdb.Pipeline()
	ttls := []*redis.DurationCmd{pipe.PTTL(ctx, pair+":lock"), pipe.PTTL(ctx, acct+":lock"), pipe.PTTL(ctx, addr+":lock")}
	trusted := pipe.Exists(ctx, pair+":trusted")
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return 0, err
	}
	var wait time.Duration
	for i, c := range ttls {
		if i == 1 && trusted.Val() > 0 {
			continue // the owner's own address is exempt from the account-wide lock
		}
		if d := c.Val(); d > wait {
			wait = d
		}
	}
	return wait, nil
}

// Fail records a failed attempt and returns the wait it caused (zero if none).
func (t *Throttle) Fail(ctx context.Context, email, ip string) (time.Duration, error) {
	p := t.policy
	pair, acct, addr := t.keys(email, ip)
	pipe := t.rdb.TxPipeline()
	counts := []*redis.IntCmd{pipe.Incr(ctx, pair), pipe.Incr(ctx, acct), pipe.Incr(ctx, addr)}
	for _, k := range []string{pair, acct, addr} {
		pipe.ExpireNX(ctx, k, p.Window)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	var wait time.Duration
	lock := func(key string, d time.Duration) {
		if d > 0 {
			t.rdb.Set(ctx, key+":lock", 1, d)
			wait = max(wait, d)
		}
	}
	if n := counts[0].Val(); n > p.PairFree {
		d := p.PairBase << min(n-p.PairFree-1, 20)
		lock(pair, min(d, p.PairMax))
	}
	if counts[1].Val() >= p.AccountFree {
		lock(acct, p.AccountLock)
	}
	if counts[2].Val() >= p.IPFree {
		lock(addr, p.IPLock)
	}
	return wait, nil
}

// Succeed clears the account's counters after a successful sign-in. The IP's
// counter stays: signing in to one's own account must not reset an attack on
// others from the same address.
func (t *Throttle) Succeed(ctx context.Context, email, ip string) error {
	pair, acct, _ := t.keys(email, ip)
	pipe := t.rdb.TxPipeline()
	pipe.Del(ctx, pair, pair+":lock", acct)
	pipe.Set(ctx, pair+":trusted", 1, t.policy.TrustFor)
	_, err := pipe.Exec(ctx)
	return err
}

// Allow counts one use of key and reports whether it is within max uses per
// window (the window starts at the first use).
func (t *Throttle) Allow(ctx context.Context, key string, max int64, window time.Duration) (bool, error) {
	k := t.prefix + "limit:" + key
	pipe := t.rdb.TxPipeline()
	n := pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, window)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, err
	}
	return n.Val() <= max, nil
}

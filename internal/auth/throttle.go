package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// ThrottlePolicy sets the brute-force defence. Attempts are counted per
// (subject, IP) pair, per subject and per IP over Window, where the subject is
// the account an attempt is about (an email at sign-in, a user id when a
// signed-in user confirms their password):
//   - the pair is locked with exponential backoff (PairBase × 2^(n−PairFree−1),
//     up to PairMax) once it has more than PairFree failures: one attacker on
//     one account slows down fast;
//   - the subject as a whole is locked only briefly (AccountLock, short on
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

// Throttle keeps attempt counters and locks in Redis, shared by every
// machine. A nil *Throttle allows everything (the command line).
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

func (t *Throttle) keys(subject, ip string) []string {
	e := emailKey(subject)
	return []string{t.prefix + "pair:" + e + ":" + ip, t.prefix + "acct:" + e, t.prefix + "ip:" + ip}
}

// Attempt is one attempt reserved by Begin. It counts as a failure from the
// moment it is reserved, so that parallel attempts cannot all pass the check
// before any of them is recorded; Succeed or Cancel take it back.
type Attempt struct {
	// Wait is how long the caller must wait before trying again; when it is
	// positive the attempt was refused and nothing was counted.
	Wait time.Duration
	// Locks is how long this attempt, if it fails, locks the pair, the
	// subject or the IP (zero if it locks nothing).
	Locks time.Duration

	keys   []string
	locked [3]bool // this attempt set the pair, subject or IP lock
}

// reserveScript checks the locks and, when none applies, counts the attempt
// and sets the locks its count calls for, in one atomic step.
//
// KEYS: pair, subject, ip counters. ARGV: window, pair free, pair base, pair
// max, subject free, subject lock, ip free, ip lock (milliseconds and counts).
// It returns {wait_ms, lock_ms, pair_locked, subject_locked, ip_locked}.
var reserveScript = redis.NewScript(`
local wait = 0
local function ttl(key)
  local t = redis.call('PTTL', key)
  if t > wait then wait = t end
end
ttl(KEYS[1] .. ':lock')
if redis.call('EXISTS', KEYS[1] .. ':trusted') == 0 then
  ttl(KEYS[2] .. ':lock') -- the owner's own address is exempt from the subject-wide lock
end
ttl(KEYS[3] .. ':lock')
if wait > 0 then return {wait, 0, 0, 0, 0} end
local n = {}
for i = 1, 3 do
  n[i] = redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
local lock, set = 0, {0, 0, 0}
local function setLock(i, ms)
  ms = math.floor(ms)
  if ms <= 0 then return end
  redis.call('SET', KEYS[i] .. ':lock', 1, 'PX', ms)
  set[i] = 1
  if ms > lock then lock = ms end
end
local pairFree = tonumber(ARGV[2])
if n[1] > pairFree then
  setLock(1, math.min(tonumber(ARGV[3]) * 2 ^ math.min(n[1] - pairFree - 1, 20), tonumber(ARGV[4])))
end
if n[2] >= tonumber(ARGV[5]) then setLock(2, tonumber(ARGV[6])) end
if n[3] >= tonumber(ARGV[7]) then setLock(3, tonumber(ARGV[8])) end
return {0, lock, set[1], set[2], set[3]}
`)

// Begin reserves one attempt on subject from ip: it refuses the attempt
// (Attempt.Wait > 0) while a lock applies, and otherwise counts it as a
// failure before the caller checks the password. The check and the count are
// one Redis script, so N parallel attempts are counted N times and at most
// PairFree+1 of them reach the password check for one pair.
func (t *Throttle) Begin(ctx context.Context, subject, ip string) (Attempt, error) {
	if t == nil {
		return Attempt{}, nil
	}
	p := t.policy
	keys := t.keys(subject, ip)
	res, err := reserveScript.Run(ctx, t.rdb, keys,
		p.Window.Milliseconds(), p.PairFree, p.PairBase.Milliseconds(), p.PairMax.Milliseconds(),
		p.AccountFree, p.AccountLock.Milliseconds(), p.IPFree, p.IPLock.Milliseconds()).Int64Slice()
	if err != nil {
		return Attempt{}, err
	}
	a := Attempt{Wait: time.Duration(res[0]) * time.Millisecond, Locks: time.Duration(res[1]) * time.Millisecond, keys: keys}
	for i := range a.locked {
		a.locked[i] = res[2+i] == 1
	}
	return a, nil
}

// refundScript takes one attempt back from the counters named in KEYS
// (never below zero) and deletes the locks named in ARGV, which that attempt
// set.
var refundScript = redis.NewScript(`
for _, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 0 then redis.call('DECR', key) end
end
for _, key in ipairs(ARGV) do redis.call('DEL', key) end
return 0
`)

// Cancel takes back an attempt whose password was never checked (the server
// was too busy), so that it costs the user nothing.
func (t *Throttle) Cancel(ctx context.Context, a Attempt) error {
	if t == nil || a.keys == nil || a.Wait > 0 {
		return nil
	}
	var locks []any
	for i, set := range a.locked {
		if set {
			locks = append(locks, a.keys[i]+":lock")
		}
	}
	return refundScript.Run(ctx, t.rdb, a.keys, locks...).Err()
}

// Succeed records that the attempt's password was right: the pair's and the
// subject's failures are forgiven, the address becomes trusted for the
// subject, and the attempt is taken back from the IP's count (signing in to
// one's own account must not count towards an IP lock, nor reset an attack on
// others from the same address).
func (t *Throttle) Succeed(ctx context.Context, a Attempt) error {
	if t == nil || a.keys == nil || a.Wait > 0 {
		return nil
	}
	pair, subject, addr := a.keys[0], a.keys[1], a.keys[2]
	pipe := t.rdb.TxPipeline()
	pipe.Del(ctx, pair, pair+":lock", subject)
	pipe.Set(ctx, pair+":trusted", 1, t.policy.TrustFor)
	var locks []any
	if a.locked[2] {
		locks = append(locks, addr+":lock")
	}
	refundScript.Eval(ctx, pipe, []string{addr}, locks...) // in MULTI: EVAL, not EVALSHA's fallback
	_, err := pipe.Exec(ctx)
	return err
}

// Allow counts one use of key and reports whether it is within max uses per
// window (the window starts at the first use).
func (t *Throttle) Allow(ctx context.Context, key string, max int64, window time.Duration) (bool, error) {
	wait, err := t.Limit(ctx, key, max, window)
	return wait == 0, err
}

// limitScript counts one use of KEYS[1] within a window of ARGV[2] ms and
// returns 0 when the count is within ARGV[1], else the window's remaining ms.
var limitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if n <= tonumber(ARGV[1]) then return 0 end
return math.max(ttl, 1)
`)

// Limit counts one use of key and returns zero when it is within max uses
// per window, else how long until the window (which starts at the first use)
// ends.
func (t *Throttle) Limit(ctx context.Context, key string, max int64, window time.Duration) (time.Duration, error) {
	if t == nil {
		return 0, nil
	}
	ms, err := limitScript.Run(ctx, t.rdb, []string{t.prefix + "limit:" + key}, max, window.Milliseconds()).Int64()
	return time.Duration(ms) * time.Millisecond, err
}

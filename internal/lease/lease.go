// Package lease bounds what clients hold across every machine of a
// deployment: at most Max leases per key at once (a user's open streams, say).
// Leases live in Redis, one sorted set per key scored by expiry, so a machine
// that dies without releasing its leases frees them when they expire; a
// holder renews its lease well before then (at each stream heartbeat).
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Pool hands out leases on keys under one Redis prefix.
type Pool struct {
	rdb    *redis.Client
	prefix string
	max    int
	ttl    time.Duration
}

// New returns a pool that allows max leases per key, each expiring ttl after
// it was taken or last renewed.
func New(rdb *redis.Client, prefix string, max int, ttl time.Duration) *Pool {
	return &Pool{rdb: rdb, prefix: prefix, max: max, ttl: ttl}
}

// Max is the number of leases a key may hold at once.
func (p *Pool) Max() int { return p.max }

// acquire drops the key's expired leases and adds this one when fewer than
// max remain, in one step: concurrent acquirers never overshoot.
var acquire = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`)

// renew extends a lease that is still held; 0 when it has expired meanwhile.
var renew = redis.NewScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return 1`)

// Lease is one held slot of a key.
type Lease struct {
	pool *Pool
	key  string
	id   string
}

// Acquire takes a lease on key. It returns nil and no error when the key
// already holds Max leases.
func (p *Pool) Acquire(ctx context.Context, key string) (*Lease, error) {
	var b [9]byte
	_, _ = rand.Read(b[:])
	l := &Lease{pool: p, key: p.prefix + key, id: hex.EncodeToString(b[:])}
	now := time.Now()
	ok, err := acquire.Run(ctx, p.rdb, []string{l.key},
		now.UnixMilli(), now.Add(p.ttl).UnixMilli(), p.max, l.id).Int()
	if err != nil || ok == 0 {
		return nil, err
	}
	return l, nil
}

// Renew extends the lease by the pool's ttl. It reports false when the lease
// had already expired (its holder stalled past the ttl and lost its slot).
func (l *Lease) Renew(ctx context.Context) (bool, error) {
	exp := time.Now().Add(l.pool.ttl).UnixMilli()
	ok, err := renew.Run(ctx, l.pool.rdb, []string{l.key}, exp, l.id, strconv.FormatInt(l.pool.ttl.Milliseconds(), 10)).Int()
	return ok == 1, err
}

// Release gives the slot back. It uses its own short deadline: a release
// runs as a stream ends, often after the request's context is gone.
func (l *Lease) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l.pool.rdb.ZRem(ctx, l.key, l.id)
}

// Count is the number of live leases on key.
func (p *Pool) Count(ctx context.Context, key string) (int64, error) {
	return p.rdb.ZCount(ctx, p.prefix+key, strconv.FormatInt(time.Now().UnixMilli(), 10), "+inf").Result()
}

// Package testredis gives tests a real Redis client with a unique key prefix.
// It depends on nothing of the application, so any package's tests can use it
// (internal/testenv builds on it).
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// URL is the Redis tests use: REDIS_URL, or the local default make test starts.
func URL() string {
	if v := os.Getenv("REDIS_URL"); v != "" {
		return v
	}
	return "redis://localhost:6379/0"
}

// New returns a client and a unique key prefix; keys under the prefix are
// deleted when the test ends. A Redis that does not answer fails the test.
func New(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	opt, err := redis.ParseURL(URL())
	if err != nil {
		tb.Fatalf("testredis: REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("testredis: Redis at REDIS_URL does not answer (make test starts it): %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "qlibpro_test:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}

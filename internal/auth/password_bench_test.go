package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
)

// BenchmarkVerifyPassword is one sign-in's password check (argon2id with
// DefaultArgon2) on one core: its logins/s is the figure per core.
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := auth.HashPassword(goodPassword, auth.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !auth.VerifyPassword(goodPassword, h) {
			b.Fatal("verify failed")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkVerifyPasswordLimited is the machine's throughput: checks from
// many goroutines at once through a HashLimiter of DefaultHashConcurrency
// slots (GOMAXPROCS, set with -cpu).
func BenchmarkVerifyPasswordLimited(b *testing.B) {
	h, err := auth.HashPassword(goodPassword, auth.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	l := auth.NewHashLimiter(auth.DefaultHashConcurrency(), time.Minute, nil) // callers queue; none is refused
	b.SetParallelism(8)                                                       // more callers than slots, as under load
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if err := l.Do(ctx, func() { auth.VerifyPassword(goodPassword, h) }); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
	b.ReportMetric(float64(l.Peak()), "peak-hashes")
}

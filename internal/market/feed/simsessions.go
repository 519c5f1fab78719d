package feed

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// SimSessions stores the simulated sessions' starts in PostgreSQL
// (sim_sessions, migration 00065): the demo clock's provider.SessionStore.
type SimSessions struct{ q *db.Queries }

var _ provider.SessionStore = SimSessions{}

// NewSimSessions returns the store over pool.
func NewSimSessions(pool *pgxpool.Pool) SimSessions { return SimSessions{q: db.New(pool)} }

// Claim returns day's stored start, storing start when there is none.
func (s SimSessions) Claim(ctx context.Context, day, start time.Time, speed float64) (time.Time, error) {
	p := db.ClaimSimSessionParams{Day: day, StartedAt: start, Speed: speed}
	got, err := s.q.ClaimSimSession(ctx, p)
	if db.IsNotFound(err) {
		// Another process inserted the row after this statement's snapshot
		// was taken: it is visible now.
		got, err = s.q.ClaimSimSession(ctx, p)
	}
	return got, err
}

// Lookup returns day's stored start, false when none.
func (s SimSessions) Lookup(ctx context.Context, day time.Time) (time.Time, bool, error) {
	got, err := s.q.GetSimSession(ctx, day)
	if db.IsNotFound(err) {
		return time.Time{}, false, nil
	}
	return got, err == nil, err
}

// Package status is what the platform says about itself: notices admins post
// (an incident, a maintenance window) and the health of each component, for
// the public /status page and the banner every page shows while a notice is
// current.
package status

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

// Notice kinds.
const (
	Incident    = "incident"
	Maintenance = "maintenance"
)

// Notice is one posted notice.
type Notice struct {
	ID       int64
	Kind     string
	Title    string
	Body     string
	StartsAt time.Time
	EndsAt   *time.Time // nil: until an admin ends it
}

// Current reports whether n is in force at t.
func (n Notice) Current(t time.Time) bool {
	return !n.StartsAt.After(t) && (n.EndsAt == nil || n.EndsAt.After(t))
}

// NewNotice is a notice as an admin enters it.
type NewNotice struct {
	Kind     string
	Title    string
	Body     string
	StartsAt time.Time  // zero: now
	EndsAt   *time.Time // nil: open-ended
}

// Audit events.
const (
	EventNoticePosted = "notice_posted"
	EventNoticeEnded  = "notice_ended"
)

// cacheFor is how long the notices every page shows are reused: a page
// render must not cost a query, and a new notice may take this long to show.
const cacheFor = 10 * time.Second

// Notices stores notices and serves the current ones from a short cache.
type Notices struct {
	pool *pgxpool.Pool
	now  func() time.Time

	mu      sync.Mutex
	cached  []Notice
	fetched time.Time
}

// NewNotices returns the notice store over pool.
func NewNotices(pool *pgxpool.Pool) *Notices { return &Notices{pool: pool, now: time.Now} }

// Active returns the notices current now and those still to come, soonest
// first (cached for a few seconds).
func (s *Notices) Active(ctx context.Context) ([]Notice, error) {
	now := s.now()
	s.mu.Lock()
	if !s.fetched.IsZero() && now.Sub(s.fetched) < cacheFor {
		out := s.cached
		s.mu.Unlock()
		return out, nil
	}
	s.mu.Unlock()
	rows, err := db.New(s.pool).ListNoticesFrom(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, len(rows))
	for i, r := range rows {
		out[i] = noticeFrom(r)
	}
	s.mu.Lock()
	s.cached, s.fetched = out, now
	s.mu.Unlock()
	return out, nil
}

// Recent lists the latest notices, ended ones included, for admins.
func (s *Notices) Recent(ctx context.Context) ([]Notice, error) {
	rows, err := db.New(s.pool).ListRecentNotices(ctx, 50)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, len(rows))
	for i, r := range rows {
		out[i] = noticeFrom(r)
	}
	return out, nil
}

// Post validates and stores a notice, audited in the same transaction.
func (s *Notices) Post(ctx context.Context, actorID int64, in NewNotice, m auth.Meta) (Notice, error) {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	errs := map[string]string{}
	if in.Kind != Incident && in.Kind != Maintenance {
		errs["kind"] = "Choose incident or maintenance."
	}
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 120 {
		errs["title"] = "Give a title of 1 to 120 characters."
	}
	if utf8.RuneCountInString(in.Body) > 2000 {
		errs["body"] = "Keep the text to 2,000 characters."
	}
	if in.StartsAt.IsZero() {
		in.StartsAt = s.now()
	}
	if in.EndsAt != nil && !in.EndsAt.After(in.StartsAt) {
		errs["ends_at"] = "The end must be after the start."
	}
	if len(errs) > 0 {
		return Notice{}, &apperr.Error{Code: apperr.Invalid, Message: "Check the notice.", Fields: errs}
	}
	var n db.Notice
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		var err error
		if n, err = q.CreateNotice(ctx, db.CreateNoticeParams{Kind: in.Kind, Title: in.Title, Body: in.Body,
			StartsAt: in.StartsAt, EndsAt: in.EndsAt, AuthorID: &actorID}); err != nil {
			return err
		}
		return auth.Audit(ctx, q, m, EventNoticePosted, 0, actorID, map[string]any{"notice_id": n.ID, "kind": n.Kind, "title": n.Title})
	})
	s.forget()
	return noticeFrom(n), err
}

// End ends a notice that is current or still to come.
func (s *Notices) End(ctx context.Context, actorID, id int64, m auth.Meta) error {
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		n, err := q.EndNotice(ctx, db.EndNoticeParams{ID: id, At: s.now()})
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "Notice not found, or it has ended already.")
		}
		if err != nil {
			return err
		}
		return auth.Audit(ctx, q, m, EventNoticeEnded, 0, actorID, map[string]any{"notice_id": n.ID})
	})
	s.forget()
	return err
}

// forget drops the cache so this machine shows a change at once.
func (s *Notices) forget() {
	s.mu.Lock()
	s.fetched = time.Time{}
	s.mu.Unlock()
}

func noticeFrom(r db.Notice) Notice {
	return Notice{ID: r.ID, Kind: r.Kind, Title: r.Title, Body: r.Body, StartsAt: r.StartsAt, EndsAt: r.EndsAt}
}

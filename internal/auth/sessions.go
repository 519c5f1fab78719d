package auth

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// SessionStore is the part of the session store (scs's Redis store) the index
// needs to end sessions.
type SessionStore interface {
	FindCtx(ctx context.Context, token string) ([]byte, bool, error)
	DeleteCtx(ctx context.Context, token string) error
}

// SessionInfo is one signed-in browser session as the settings page lists it.
type SessionInfo struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"` // the session token; never rendered
	CreatedAt time.Time `json:"created_at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
}

// SessionIndex records each user's sessions in Redis so that they can be
// listed and ended (scs itself keeps no per-user index).
type SessionIndex struct {
	rdb    *redis.Client
	prefix string
	store  SessionStore
}

// NewSessionIndex returns an index whose keys live under prefix.
func NewSessionIndex(rdb *redis.Client, prefix string, store SessionStore) *SessionIndex {
	return &SessionIndex{rdb: rdb, prefix: prefix + "usess:", store: store}
}

func (ix *SessionIndex) key(userID int64) string { return ix.prefix + strconv.FormatInt(userID, 10) }

// Add records a new session.
func (ix *SessionIndex) Add(ctx context.Context, userID int64, s SessionInfo) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return ix.rdb.HSet(ctx, ix.key(userID), s.ID, b).Err()
}

// List returns the user's live sessions, newest first, pruning entries whose
// session has expired.
func (ix *SessionIndex) List(ctx context.Context, userID int64) ([]SessionInfo, error) {
	all, err := ix.rdb.HGetAll(ctx, ix.key(userID)).Result()
	if err != nil {
		return nil, err
	}
	var out []SessionInfo
	for id, raw := range all {
		var s SessionInfo
		if json.Unmarshal([]byte(raw), &s) != nil {
			ix.rdb.HDel(ctx, ix.key(userID), id)
			continue
		}
		if _, found, err := ix.store.FindCtx(ctx, s.Token); err == nil && !found {
			ix.rdb.HDel(ctx, ix.key(userID), id)
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// End destroys one session of the user; an id that is not theirs is ignored.
func (ix *SessionIndex) End(ctx context.Context, userID int64, id string) (bool, error) {
	raw, err := ix.rdb.HGet(ctx, ix.key(userID), id).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var s SessionInfo
	if err := json.Unmarshal([]byte(raw), &s); err == nil {
		if err := ix.store.DeleteCtx(ctx, s.Token); err != nil {
			return false, err
		}
	}
	return true, ix.rdb.HDel(ctx, ix.key(userID), id).Err()
}

// EndAll destroys every session of the user except keepID (pass "" for all).
func (ix *SessionIndex) EndAll(ctx context.Context, userID int64, keepID string) (int, error) {
	list, err := ix.List(ctx, userID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range list {
		if s.ID == keepID {
			continue
		}
		if _, err := ix.End(ctx, userID, s.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Forget drops an entry without touching the session (its token is gone).
func (ix *SessionIndex) Forget(ctx context.Context, userID int64, id string) error {
	return ix.rdb.HDel(ctx, ix.key(userID), id).Err()
}

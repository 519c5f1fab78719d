package auth

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Token kinds: short-lived tokens from the login endpoint, and personal API
// keys created on the settings page.
const (
	KindLogin = "login"
	KindKey   = "key"
)

const tokenPrefix = "qp_"

// API scopes: what a token may do. Every /api/v1 route needs one of them.
const (
	ScopeRead  = "read"  // every GET, and the signal lookup
	ScopeTrade = "trade" // place and cancel orders, change watchlists
)

// AllScopes are every scope, in their canonical order; login tokens have
// them all.
var AllScopes = []string{ScopeRead, ScopeTrade}

// normaliseScopes returns scopes deduplicated in canonical order, read only
// when none is given, or a field error naming an unknown one.
func normaliseScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return []string{ScopeRead}, nil
	}
	for _, sc := range scopes {
		if !slices.Contains(AllScopes, sc) {
			return nil, apperr.FieldError("scopes", "Unknown scope %q: use read or trade.", sc)
		}
	}
	var out []string
	for _, sc := range AllScopes {
		if slices.Contains(scopes, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// Principal is who a bearer token speaks for.
type Principal struct {
	UserID  int64
	Name    string
	Email   string
	Role    string
	TokenID int64
	Kind    string
	Scopes  []string // what the token may do (ScopeRead, ScopeTrade)
}

// IsAdmin reports whether the principal has the admin role.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// Can reports whether the principal's token has scope.
func (p Principal) Can(scope string) bool { return slices.Contains(p.Scopes, scope) }

// APIKey describes a personal key (never its secret).
type APIKey struct {
	ID         int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	Scopes     []string
}

var errBadToken = apperr.New(apperr.Unauthorized, "The bearer token is missing, invalid, expired or revoked.")

// LoginToken signs in with email and password (same throttle and audit as the
// web form) and returns a login token, which has every scope, and its
// lifetime.
func (s *Service) LoginToken(ctx context.Context, email, password string, m Meta) (string, time.Duration, error) {
	u, err := s.Authenticate(ctx, email, password, m)
	if err != nil {
		return "", 0, err
	}
	raw, hash := randomToken(tokenPrefix, 32)
	exp := time.Now().Add(s.opts.LoginTokenTTL)
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		t, err := q.CreateAPIToken(ctx, db.CreateAPITokenParams{
			UserID: u.ID, Kind: KindLogin, Name: "API login", TokenHash: hash, Prefix: raw[:10], ExpiresAt: &exp, Scopes: AllScopes,
		})
		if err != nil {
			return err
		}
		return audit(ctx, q, m, EventTokenLogin, u.ID, u.ID, map[string]any{"token_id": t.ID})
	})
	return raw, s.opts.LoginTokenTTL, err
}

// CreateAPIKey makes a named personal key with scopes (read only when none
// is given); the secret is returned once and only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, userID int64, name string, expires *time.Time, m Meta, scopes ...string) (string, APIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return "", APIKey{}, apperr.FieldError("name", "Name the key (1 to 60 characters).")
	}
	if expires != nil && !expires.After(time.Now()) {
		return "", APIKey{}, apperr.FieldError("expires", "The expiry must be in the future.")
	}
	scopes, err := normaliseScopes(scopes)
	if err != nil {
		return "", APIKey{}, err
	}
	raw, hash := randomToken(tokenPrefix, 32)
	var t db.APIToken
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		var err error
		t, err = q.CreateAPIToken(ctx, db.CreateAPITokenParams{
			UserID: userID, Kind: KindKey, Name: name, TokenHash: hash, Prefix: raw[:10], ExpiresAt: expires, Scopes: scopes,
		})
		if err != nil {
			return err
		}
		return audit(ctx, q, m, EventKeyCreate, userID, userID, map[string]any{"key_id": t.ID, "name": name, "scopes": scopes})
	})
	return raw, keyFrom(t), err
}

func keyFrom(t db.APIToken) APIKey {
	return APIKey{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, Scopes: t.Scopes}
}

// ListAPIKeys lists the user's live personal keys.
func (s *Service) ListAPIKeys(ctx context.Context, userID int64) ([]APIKey, error) {
	rows, err := s.q.ListAPIKeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]APIKey, 0, len(rows))
	for _, r := range rows {
		out = append(out, keyFrom(r))
	}
	return out, nil
}

// RevokeAPIKey revokes one of the user's keys; another user's id is NotFound.
func (s *Service) RevokeAPIKey(ctx context.Context, userID, keyID int64, m Meta) error {
	return db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		t, err := q.RevokeAPIToken(ctx, db.RevokeAPITokenParams{ID: keyID, UserID: userID})
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "API key not found.")
		}
		if err != nil {
			return err
		}
		return audit(ctx, q, m, EventKeyRevoke, userID, userID, map[string]any{"key_id": t.ID, "name": t.Name})
	})
}

// Authorize resolves a raw bearer token to its principal, refusing unknown,
// expired, revoked and disabled ones alike, and the demo account's where it
// is refused (production).
func (s *Service) Authorize(ctx context.Context, raw string) (Principal, error) {
	if !strings.HasPrefix(raw, tokenPrefix) || len(raw) > 100 {
		return Principal{}, errBadToken
	}
	t, err := s.q.GetAPITokenByHash(ctx, hashToken(raw))
	if db.IsNotFound(err) {
		return Principal{}, errBadToken
	}
	if err != nil {
		return Principal{}, err
	}
	if t.RevokedAt != nil || t.DisabledAt != nil || (t.ExpiresAt != nil && !t.ExpiresAt.After(time.Now())) || s.refusesDemo(t.Email) {
		return Principal{}, errBadToken
	}
	if err := s.q.TouchAPIToken(ctx, t.ID); err != nil {
		return Principal{}, err
	}
	return Principal{UserID: t.UserID, Name: t.DisplayName, Email: t.Email, Role: t.Role, TokenID: t.ID, Kind: t.Kind, Scopes: t.Scopes}, nil
}

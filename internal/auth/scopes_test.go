package auth_test

import (
	"context"
	"slices"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

func TestAPIKeyScopesAreStoredAndChecked(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, auth.Registration{Email: "scoped@example.com", Name: "S", Password: goodPassword}, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		scopes []string
		want   []string
	}{
		{"NoneMeansRead", nil, []string{auth.ScopeRead}},
		{"Read", []string{auth.ScopeRead}, []string{auth.ScopeRead}},
		{"TradeOnly", []string{auth.ScopeTrade}, []string{auth.ScopeTrade}},
		{"BothInCanonicalOrder", []string{auth.ScopeTrade, auth.ScopeRead, auth.ScopeTrade}, []string{auth.ScopeRead, auth.ScopeTrade}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, key, err := svc.CreateAPIKey(ctx, u.ID, tt.name, nil, auth.Meta{}, tt.scopes...)
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.Authorize(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(key.Scopes, tt.want) || !slices.Equal(p.Scopes, tt.want) {
				t.Errorf("key scopes %v, principal %v, want %v", key.Scopes, p.Scopes, tt.want)
			}
			if p.Can(auth.ScopeTrade) != slices.Contains(tt.want, auth.ScopeTrade) || p.Can("admin") {
				t.Errorf("Can is wrong for %v", p.Scopes)
			}
		})
	}
	t.Run("ErrUnknownScope", func(t *testing.T) {
		_, _, err := svc.CreateAPIKey(ctx, u.ID, "bad", nil, auth.Meta{}, "admin")
		if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "scopes" {
			t.Errorf("unknown scope: %v", err)
		}
	})
	t.Run("LoginTokensHaveEveryScope", func(t *testing.T) {
		raw, _, err := svc.LoginToken(ctx, "scoped@example.com", goodPassword, auth.Meta{IP: "10.9.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Authorize(ctx, raw)
		if err != nil || !slices.Equal(p.Scopes, auth.AllScopes) {
			t.Errorf("login token scopes %v, %v", p.Scopes, err)
		}
	})
}

package auth_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestDemoAccountRefusedInProduction(t *testing.T) {
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	service := func(production bool) *auth.Service {
		return auth.NewService(pool, auth.NewThrottle(rdb, prefix, auth.DefaultThrottle), nil,
			slog.New(slog.NewTextHandler(io.Discard, nil)), auth.Options{RefuseDemo: production})
	}
	ctx := context.Background()
	dev, prod := service(false), service(true)

	// Seeded in development, as make run does.
	u, err := dev.CreateDemoUser(ctx, auth.DemoPassword, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Authenticate(ctx, auth.DemoEmail, auth.DemoPassword, auth.Meta{IP: "10.7.0.1"}); err != nil {
		t.Fatalf("development sign-in: %v", err)
	}
	key, _, err := dev.CreateAPIKey(ctx, u.ID, "demo script", nil, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}

	// The same database under a production server.
	for _, email := range []string{auth.DemoEmail, " DEMO@qlibpro.com.au "} {
		_, err := prod.Authenticate(ctx, email, auth.DemoPassword, auth.Meta{IP: "10.7.0.2"})
		if apperr.CodeOf(err) != apperr.Forbidden || !strings.Contains(apperr.MessageOf(err), "production") {
			t.Errorf("production sign-in as %q: %v, want Forbidden naming production", email, err)
		}
	}
	if _, _, err := prod.LoginToken(ctx, auth.DemoEmail, auth.DemoPassword, auth.Meta{IP: "10.7.0.2"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("production API login: %v, want Forbidden", err)
	}
	if _, err := prod.Authorize(ctx, key); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("the demo account's key in production: %v, want Unauthorized", err)
	}
	if _, err := dev.Authorize(ctx, key); err != nil {
		t.Errorf("the same key in development: %v", err)
	}
}

package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

func TestPasswordResetRevokesEveryToken(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, auth.Registration{Email: "recover@example.com", Name: "R", Password: goodPassword}, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	login, _, err := svc.LoginToken(ctx, "recover@example.com", goodPassword, auth.Meta{IP: "10.6.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateAPIKey(ctx, u.ID, "script", nil, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RequestReset(ctx, "recover@example.com", auth.Meta{IP: "10.6.0.1"}); err != nil {
		t.Fatal(err)
	}
	token := tokenFromMail(t, mail.Wait(t, 1, 10*time.Second).Data)
	if _, err := svc.ResetPassword(ctx, token, "a recovered long passphrase 5", auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{"login token": login, "personal key": key} {
		if _, err := svc.Authorize(ctx, raw); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("%s after a password reset: %v, want Unauthorized", name, err)
		}
	}
	if keys, _ := svc.ListAPIKeys(ctx, u.ID); len(keys) != 0 {
		t.Errorf("%d keys listed after the reset, want none", len(keys))
	}
}

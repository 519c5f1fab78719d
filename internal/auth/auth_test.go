package auth_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

const goodPassword = "correct horse battery staple 42"

func TestHashParametersReadBack(t *testing.T) {
	h, err := auth.HashPassword(goodPassword, auth.DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %q", h)
	}
	p, salt, key, err := auth.ParseHash(h)
	if err != nil {
		t.Fatal(err)
	}
	if p.MemoryKiB < 19*1024 || p.Time < 2 || p.Threads != 1 || len(salt) != 16 || len(key) != 32 {
		t.Errorf("params %+v salt %d key %d", p, len(salt), len(key))
	}
	if !auth.VerifyPassword(goodPassword, h) || auth.VerifyPassword(goodPassword+"x", h) {
		t.Error("verify does not discriminate")
	}
	long := strings.Repeat("long passphrase ", 16) // 256 characters: no truncation
	h2, _ := auth.HashPassword(long, auth.DefaultArgon2)
	if !auth.VerifyPassword(long, h2) || auth.VerifyPassword(long[:255], h2) || auth.VerifyPassword(long[:72], h2) {
		t.Error("long passwords must be used whole")
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		pw   string
		ok   bool
		want string
	}{
		{"short", false, "at least 12"},
		{"password1234", false, "too easy"},
		{"qwertyuiop123", false, "too easy"},
		{"jane.citizen2024", false, "too easy"}, // close to the email
		{strings.Repeat("a", 257), false, "at most 256"},
		{goodPassword, true, ""},
		{strings.Repeat("vivid-otter-", 5) + "x", true, ""}, // 61 chars, allowed
	}
	for _, tt := range tests {
		err := auth.CheckPasswordPolicy(tt.pw, "jane.citizen@example.com", "Jane Citizen")
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok=%v", tt.pw, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(apperr.MessageOf(err), tt.want) {
			t.Errorf("%q: message %q, want it to mention %q", tt.pw, apperr.MessageOf(err), tt.want)
		}
	}
}

func newService(t *testing.T) (*auth.Service, *testenv.SMTPServer) {
	t.Helper()
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	mail := testenv.NewSMTPServer(t)
	mailer := notify.NewSMTPMailer(notify.SMTPConfig{Host: mail.Host, Port: mail.Port, From: "Qlib Pro <noreply@qlibpro.test>"})
	svc := auth.NewService(pool, auth.NewThrottle(rdb, prefix, auth.DefaultThrottle), mailer,
		slog.New(slog.NewTextHandler(io.Discard, nil)), auth.Options{BaseURL: "https://qlibpro.test", ResetTTL: 30 * time.Minute})
	t.Cleanup(svc.Wait)
	return svc, mail
}

func TestRegisterNormalisesAndRejectsDuplicates(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, auth.Registration{Email: "  Jane@Example.COM ", Name: " Jane ", Password: goodPassword}, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "jane@example.com" || u.Name != "Jane" || u.Role != auth.RoleTrader {
		t.Errorf("user = %+v", u)
	}
	_, err = svc.Register(ctx, auth.Registration{Email: "JANE@example.com", Name: "Other", Password: goodPassword}, auth.Meta{})
	if ae, ok := apperr.As(err); !ok || ae.Field != "email" || !strings.Contains(ae.Message, "already exists") {
		t.Errorf("duplicate: %v", err)
	}
	_, err = svc.Register(ctx, auth.Registration{Email: "not-an-email", Name: "", Password: goodPassword}, auth.Meta{})
	ae, ok := apperr.As(err)
	if !ok || ae.Fields["email"] == "" || ae.Fields["name"] == "" {
		t.Errorf("invalid fields: %v (%+v)", err, ae)
	}
}

func TestAuthenticateGenericErrors(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "a@example.com", Name: "A", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, unknown := svc.Authenticate(ctx, "nobody@example.com", goodPassword, auth.Meta{IP: "10.1.1.1"})
	_, wrong := svc.Authenticate(ctx, "a@example.com", "wrong password here", auth.Meta{IP: "10.1.1.2"})
	if unknown == nil || wrong == nil || unknown.Error() != wrong.Error() || apperr.CodeOf(wrong) != apperr.Unauthorized {
		t.Errorf("unknown %v / wrong %v: want the same Unauthorized error", unknown, wrong)
	}
	if _, err := svc.Authenticate(ctx, "A@EXAMPLE.COM", goodPassword, auth.Meta{IP: "10.1.1.3"}); err != nil {
		t.Errorf("correct password, other case: %v", err)
	}
}

func TestResetTokenSingleUseAndExpiring(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "r@example.com", Name: "R", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RequestReset(ctx, "r@example.com", auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.RequestReset(ctx, "nobody@example.com", auth.Meta{}); err != nil {
		t.Fatalf("unknown email must answer the same: %v", err)
	}
	m := mail.Wait(t, 1, 10*time.Second)
	token := tokenFromMail(t, m.Data)
	if _, err := svc.ResetPassword(ctx, token, "short", auth.Meta{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("weak password: %v", err)
	}
	const next = "a brand new passphrase 77"
	if _, err := svc.ResetPassword(ctx, token, next, auth.Meta{}); err != nil {
		t.Fatalf("reset (token must survive the refused weak password): %v", err)
	}
	if _, err := svc.ResetPassword(ctx, token, next+"!", auth.Meta{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("second use: %v, want Invalid", err)
	}
	if _, err := svc.Authenticate(ctx, "r@example.com", next, auth.Meta{IP: "10.2.0.1"}); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	if len(mail.Messages()) != 1 {
		t.Errorf("%d mails sent; the unknown address must get none", len(mail.Messages()))
	}
}

func tokenFromMail(t *testing.T, data string) string {
	t.Helper()
	i := strings.Index(data, "/reset?token=")
	if i < 0 {
		t.Fatalf("no reset link in mail:\n%s", data)
	}
	rest := data[i+len("/reset?token="):]
	if j := strings.IndexAny(rest, "\r\n "); j >= 0 {
		rest = rest[:j]
	}
	if len(rest) < 40 {
		t.Fatalf("token %q is too short for 256 bits", rest)
	}
	return rest
}

func TestResetRequestsAreLimited(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "flood@example.com", Name: "F", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if err := svc.RequestReset(ctx, "flood@example.com", auth.Meta{IP: "198.51.100.9"}); err != nil {
			t.Fatalf("each request answers the same: %v", err)
		}
	}
	mail.Wait(t, 3, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	svc.Wait()
	if n := len(mail.Messages()); n != 3 {
		t.Errorf("%d reset mails for 6 requests, want 3", n)
	}
}

func TestPasswordChangeRevokesEveryToken(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, auth.Registration{Email: "tok@example.com", Name: "T", Password: goodPassword}, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	login, _, err := svc.LoginToken(ctx, "tok@example.com", goodPassword, auth.Meta{IP: "10.9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateAPIKey(ctx, u.ID, "script", nil, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ChangePassword(ctx, u.ID, goodPassword, "a different long passphrase 3", auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authorize(ctx, login); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("login token after a password change: %v, want Unauthorized", err)
	}
	if _, err := svc.Authorize(ctx, key); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("personal API key after a password change: %v, want Unauthorized (revoked too)", err)
	}
}

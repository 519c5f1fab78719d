package auth_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

var signUpTokenRe = regexp.MustCompile(`/signup/confirm\?token=([A-Za-z0-9_-]+)`)

// mailTo waits for the n-th message and checks it went to want.
func mailTo(t *testing.T, mail *testenv.SMTPServer, n int, want string) testenv.Mail {
	t.Helper()
	m := mail.Wait(t, n, 10*time.Second)
	if len(m.To) != 1 || m.To[0] != want {
		t.Fatalf("mail %d went to %v, want %s", n, m.To, want)
	}
	return m
}

func TestSignUpCreatesTheAccountFromTheLink(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	if err := svc.SignUp(ctx, auth.Registration{Email: " Ann@Example.com", Name: " Ann ", Password: goodPassword}, auth.Meta{IP: "10.8.0.1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FindUser(ctx, "ann@example.com"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("account before confirmation: %v", err)
	}
	m := mailTo(t, mail, 1, "ann@example.com")
	token := signUpTokenRe.FindStringSubmatch(m.Data)[1]
	u, err := svc.ConfirmSignUp(ctx, token, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ann@example.com" || u.Name != "Ann" || u.Role != auth.RoleTrader {
		t.Errorf("user = %+v", u)
	}
	if _, err := svc.Authenticate(ctx, "ann@example.com", goodPassword, auth.Meta{IP: "10.8.0.1"}); err != nil {
		t.Errorf("sign in with the sign-up's password: %v", err)
	}
	if _, err := svc.ConfirmSignUp(ctx, token, auth.Meta{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("second use of the link: %v, want Invalid", err)
	}
}

func TestSignUpWithAnExistingAddress(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, auth.Registration{Email: "dave@example.com", Name: "Dave", Password: goodPassword}, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	err := svc.SignUp(ctx, auth.Registration{Email: "DAVE@example.com", Name: "Mallory", Password: "mallory takes over 77"}, auth.Meta{IP: "10.8.0.2"})
	if err != nil {
		t.Fatalf("existing address: %v, want the same nil as for a new one", err)
	}
	m := mailTo(t, mail, 1, "dave@example.com")
	if !strings.Contains(m.Data, "You already have one") || signUpTokenRe.MatchString(m.Data) || strings.Contains(m.Data, "Mallory") {
		t.Errorf("mail to the owner:\n%s", m.Data)
	}
	if _, err := svc.Authenticate(ctx, "dave@example.com", goodPassword, auth.Meta{IP: "10.8.0.3"}); err != nil {
		t.Errorf("the owner's password: %v", err)
	}
	// Field problems are the same for every address: they depend on the input only.
	for _, email := range []string{"dave@example.com", "fresh@example.com"} {
		err := svc.SignUp(ctx, auth.Registration{Email: email, Name: "X", Password: "short"}, auth.Meta{IP: "10.8.0.4"})
		if ae, ok := apperr.As(err); !ok || ae.Field != "password" || !strings.Contains(ae.Message, "at least 12") {
			t.Errorf("%s with a short password: %v", email, err)
		}
	}
}

func TestSignUpLinkRacesAndExpiry(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	for range 2 {
		if err := svc.SignUp(ctx, auth.Registration{Email: "twice@example.com", Name: "T", Password: goodPassword}, auth.Meta{IP: "10.8.1.1"}); err != nil {
			t.Fatal(err)
		}
	}
	first := signUpTokenRe.FindStringSubmatch(mailTo(t, mail, 1, "twice@example.com").Data)[1]
	second := signUpTokenRe.FindStringSubmatch(mailTo(t, mail, 2, "twice@example.com").Data)[1]
	if _, err := svc.ConfirmSignUp(ctx, second, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmSignUp(ctx, first, auth.Meta{}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("the other link once the account exists: %v, want Conflict", err)
	}
	for _, bad := range []string{"", "forged", strings.Repeat("x", 200)} {
		if _, err := svc.ConfirmSignUp(ctx, bad, auth.Meta{}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("token %.10q: %v, want Invalid", bad, err)
		}
	}
}

func TestSignUpMailsAreLimitedPerAddress(t *testing.T) {
	svc, mail := newService(t)
	ctx := context.Background()
	for i := range 5 {
		if err := svc.SignUp(ctx, auth.Registration{Email: "inbox@example.com", Name: "I", Password: goodPassword}, auth.Meta{IP: "10.8.2." + string(rune('1'+i))}); err != nil {
			t.Fatalf("sign-up %d answers the same: %v", i+1, err)
		}
	}
	mail.Wait(t, 3, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	svc.Wait()
	if n := len(mail.Messages()); n != 3 {
		t.Errorf("%d mails for 5 sign-ups of one address, want 3", n)
	}
}

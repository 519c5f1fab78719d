package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Sign-up limits: per client address Options.SignUpsPerIP an hour (429), and
// a few e-mails an hour per address, quietly, so that the form cannot flood
// an inbox.
const (
	signUpWindow    = time.Hour
	signUpsPerEmail = 3
)

// SignUp takes the sign-up form. Its answer is the same whether or not the
// email already has an account: field errors depend only on what was typed,
// the password is hashed either way, and one e-mail goes out in the
// background either way. A new address gets a link that creates the account
// (ConfirmSignUp); the owner of an existing account is told that someone
// tried to sign up with their address, and nothing changes. The account is
// created only by whoever reads the mailbox, so nobody can take an address
// that is not theirs. Past Options.SignUpsPerIP requests an hour from one
// client address it answers TooManyRequests with RetryAfter.
func (s *Service) SignUp(ctx context.Context, in Registration, m Meta) error {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if err := s.validate.Struct(in); err != nil {
		return fieldErrors(err, registrationMessages)
	}
	if err := CheckPasswordPolicy(in.Password, in.Email, in.Name); err != nil {
		return err
	}
	wait, err := s.throttle.Limit(ctx, "signup:ip:"+m.IP, s.opts.SignUpsPerIP, signUpWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		s.opts.OnRefused("signup_ip")
		return &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: wait,
			Message: "Too many sign-ups from your network. Try again later."}
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	if ok, err := s.throttle.Allow(ctx, "signup:email:"+emailKey(in.Email), signUpsPerEmail, signUpWindow); err != nil {
		return err
	} else if !ok {
		return audit(ctx, s.q, m, EventSignUpRequest, 0, 0, map[string]any{"email_hash": emailKey(in.Email), "sent": false, "throttled": true})
	}
	row, err := s.q.GetUserByEmail(ctx, in.Email)
	switch {
	case err == nil:
		if err := audit(ctx, s.q, m, EventSignUpRequest, row.ID, 0, map[string]any{"existing": true}); err != nil {
			return err
		}
		s.sendMail(ctx, row.Email, "Someone tried to sign up to Qlib Pro with your address", s.existingAccountMail(row.DisplayName), "sign-up (existing account)")
		return nil
	case !db.IsNotFound(err):
		return err
	}
	raw, tokenHash := randomToken("", 32)
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.DeleteExpiredSignupRequests(ctx); err != nil {
			return err
		}
		if err := q.CreateSignupRequest(ctx, db.CreateSignupRequestParams{TokenHash: tokenHash, Email: in.Email,
			DisplayName: in.Name, PasswordHash: hash, ExpiresAt: time.Now().Add(s.opts.SignUpTTL)}); err != nil {
			return err
		}
		return audit(ctx, q, m, EventSignUpRequest, 0, 0, map[string]any{"email_hash": emailKey(in.Email)})
	})
	if err != nil {
		return err
	}
	s.sendMail(ctx, in.Email, "Finish creating your Qlib Pro account", s.confirmMail(raw), "sign-up")
	return nil
}

// confirmMail is the message with the link that creates the account. It does
// not repeat the name typed in the form: that text is the sender's, not the
// mailbox owner's.
func (s *Service) confirmMail(raw string) string {
	return fmt.Sprintf(`Hello,

Someone (hopefully you) asked to create a Qlib Pro account with this email
address. Open this link within %s to finish:

%s/signup/confirm?token=%s

The link works once. If you did not ask for this, ignore this message: no
account is created.

— Qlib Pro
`, ttlText(s.opts.SignUpTTL), s.opts.BaseURL, raw)
}

// existingAccountMail tells an account's owner about a sign-up with their
// address.
func (s *Service) existingAccountMail(name string) string {
	return fmt.Sprintf(`Hello %s,

Someone (hopefully you) tried to create a Qlib Pro account with this email
address. You already have one, so nothing was changed.

If it was you, sign in at %s/signin, or choose a new password at
%s/forgot if you have forgotten it.

If it was not you, ignore this message: your account and password stay as
they are.

— Qlib Pro
`, name, s.opts.BaseURL, s.opts.BaseURL)
}

// ttlText says a link lifetime in words: "24 hours", "30 minutes".
func ttlText(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

var (
	errBadSignUp   = apperr.New(apperr.Invalid, "This sign-up link is invalid, expired or already used. Sign up again.")
	errSignUpRaced = apperr.New(apperr.Conflict,
		"An account with this email was created meanwhile. Sign in, or reset your password.")
)

// ConfirmSignUp creates the account a sign-up link stands for and returns
// it. The link is claimed in the same transaction, so it works once. Only the
// mailbox owner holds the link, so saying that the address was taken in the
// meantime tells nobody else anything.
func (s *Service) ConfirmSignUp(ctx context.Context, raw string, m Meta) (User, error) {
	if raw == "" || len(raw) > 100 {
		return User{}, errBadSignUp
	}
	var u db.User
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		r, err := q.UseSignupRequest(ctx, hashToken(raw))
		if db.IsNotFound(err) {
			return errBadSignUp
		}
		if err != nil {
			return err
		}
		u, err = q.CreateUser(ctx, db.CreateUserParams{
			Pseudonym: newPseudonym(), Email: r.Email, DisplayName: r.DisplayName, PasswordHash: r.PasswordHash, Role: RoleTrader,
		})
		if db.IsUniqueViolation(err, "users_email_key") {
			return errSignUpRaced
		}
		if err != nil {
			return err
		}
		return audit(ctx, q, m, EventRegister, u.ID, 0, map[string]any{"role": RoleTrader, "confirmed_by": "email"})
	})
	return userFrom(u), err
}

package auth

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

var errBadCredentials = apperr.New(apperr.Unauthorized, "Email or password is incorrect.")

// Authenticate checks an email and password under the brute-force throttle.
// In production the demo account is refused before anything is checked.
// The attempt is reserved (counted as a failure) before the password is
// checked, so parallel guesses cannot slip past the limits together. Unknown
// emails and wrong passwords give the same error after comparable work (a
// dummy hash is verified); a locked attempt is TooManyRequests with
// RetryAfter.
func (s *Service) Authenticate(ctx context.Context, email, password string, m Meta) (User, error) {
	email = NormaliseEmail(email)
	if s.refusesDemo(email) {
		s.opts.OnLogin("failure")
		_ = audit(ctx, s.q, m, EventSignInFailed, 0, 0, map[string]any{"email_hash": emailKey(email), "reason": "demo account in production"})
		return User{}, errDemoRefused
	}
	att, err := s.throttle.Begin(ctx, email, m.IP)
	if err != nil {
		return User{}, err
	}
	if att.Wait > 0 {
		s.opts.OnLogin("locked")
		_ = audit(ctx, s.q, m, EventSignInLocked, 0, 0, map[string]any{"email_hash": emailKey(email)})
		return User{}, &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: att.Wait,
			Message: "Too many failed sign-in attempts. Wait a little and try again."}
	}
	row, err := s.q.GetUserByEmail(ctx, email)
	found := err == nil
	if err != nil && !db.IsNotFound(err) {
		return User{}, err // the attempt stays counted: fail closed
	}
	hash := row.PasswordHash
	if !found || hash == "" {
		hash = dummyHash()
	}
	ok, err := s.checkPassword(ctx, password, hash)
	if err != nil {
		// Never checked (the server is busy): the attempt costs the user nothing.
		_ = s.throttle.Cancel(context.WithoutCancel(ctx), att)
		return User{}, err
	}
	ok = ok && found && row.PasswordHash != ""
	if !ok || row.DisabledAt != nil {
		s.opts.OnLogin("failure")
		_ = audit(ctx, s.q, m, EventSignInFailed, row.ID, 0, map[string]any{"email_hash": emailKey(email), "locked_for_s": int(att.Locks.Seconds())})
		if ok && row.DisabledAt != nil {
			return User{}, apperr.New(apperr.Forbidden, "This account is disabled. Contact support.")
		}
		return User{}, errBadCredentials
	}
	if err := s.throttle.Succeed(ctx, att); err != nil {
		return User{}, err
	}
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.TouchUserLogin(ctx, row.ID); err != nil {
			return err
		}
		return audit(ctx, q, m, EventSignIn, row.ID, 0, nil)
	})
	if err != nil {
		return User{}, err
	}
	s.opts.OnLogin("success")
	return userFrom(row), nil
}

// checkPassword verifies password against encoded in a hashing slot; a busy
// server answers Unavailable with RetryAfter.
func (s *Service) checkPassword(ctx context.Context, password, encoded string) (bool, error) {
	var ok bool
	err := s.opts.Hashing.Do(ctx, func() { ok = VerifyPassword(password, encoded) })
	return ok, err
}

// hashPassword hashes a new password in a hashing slot.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var herr error
	if err := s.opts.Hashing.Do(ctx, func() { hash, herr = HashPassword(password, s.opts.Argon2) }); err != nil {
		return "", err
	}
	return hash, herr
}

// confirmPassword checks a signed-in user's own password (to change it or to
// delete the account) under the same throttle as sign-in, keyed by the user:
// a stolen session cannot guess the password faster than a stranger can.
// A wrong password is a field error on field; a locked check is
// TooManyRequests with RetryAfter.
func (s *Service) confirmPassword(ctx context.Context, u db.User, password string, m Meta, field, wrong string) error {
	att, err := s.throttle.Begin(ctx, "user:"+strconv.FormatInt(u.ID, 10), m.IP)
	if err != nil {
		return err
	}
	if att.Wait > 0 {
		s.opts.OnRefused("password_check")
		return &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: att.Wait, Field: field,
			Message: "Too many wrong passwords. Wait a little and try again."}
	}
	ok, err := s.checkPassword(ctx, password, u.PasswordHash)
	if err != nil {
		_ = s.throttle.Cancel(context.WithoutCancel(ctx), att)
		return err
	}
	if !ok {
		return apperr.FieldError(field, "%s", wrong)
	}
	return s.throttle.Succeed(ctx, att)
}

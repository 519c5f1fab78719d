package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Reset-request limits: a few links per address, so that nobody can flood an
// inbox (or the mail account) through the form; the limit per client address
// is Options.ResetsPerIP.
const (
	resetsPerEmail = 3
	resetWindow    = time.Hour
)

// RequestReset e-mails a single-use reset link when email belongs to an
// active account. It returns the same (nil) whether or not it does, and sends
// in the background so the response time does not tell either. Past the
// limit per address it quietly sends nothing (the answer is still the same,
// so it tells nothing either). Past the limit per client address it answers
// TooManyRequests with RetryAfter, whatever the address: that tells nothing
// about accounts.
func (s *Service) RequestReset(ctx context.Context, email string, m Meta) error {
	email = NormaliseEmail(email)
	if email == "" || len(email) > 254 {
		return apperr.FieldError("email", "Enter your email address.")
	}
	wait, err := s.throttle.Limit(ctx, "reset:ip:"+m.IP, s.opts.ResetsPerIP, resetWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		s.opts.OnRefused("reset_ip")
		return &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: wait,
			Message: "Too many password-reset requests from your network. Try again later."}
	}
	okEmail, err := s.throttle.Allow(ctx, "reset:email:"+emailKey(email), resetsPerEmail, resetWindow)
	if err != nil {
		return err
	}
	if !okEmail {
		_ = audit(ctx, s.q, m, EventResetRequested, 0, 0, map[string]any{"email_hash": emailKey(email), "sent": false, "throttled": true})
		return nil
	}
	row, err := s.q.GetUserByEmail(ctx, email)
	if db.IsNotFound(err) || (err == nil && row.DisabledAt != nil) {
		_ = audit(ctx, s.q, m, EventResetRequested, 0, 0, map[string]any{"email_hash": emailKey(email), "sent": false})
		return nil
	}
	if err != nil {
		return err
	}
	raw, hash := randomToken("", 32)
	exp := time.Now().Add(s.opts.ResetTTL)
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if _, err := q.CreatePasswordReset(ctx, db.CreatePasswordResetParams{UserID: row.ID, TokenHash: hash, ExpiresAt: exp}); err != nil {
			return err
		}
		return audit(ctx, q, m, EventResetRequested, row.ID, 0, map[string]any{"sent": true})
	})
	if err != nil {
		return err
	}
	link := s.opts.BaseURL + "/reset?token=" + raw
	body := fmt.Sprintf(`Hello %s,

Someone (hopefully you) asked to reset the password of your Qlib Pro account.
Open this link within %d minutes to choose a new password:

%s

The link works once. If you did not ask for this, ignore this message: your
password stays as it is.

— Qlib Pro
`, row.DisplayName, int(s.opts.ResetTTL.Minutes()), link)
	s.sendMail(ctx, row.Email, "Reset your Qlib Pro password", body, "password reset")
	return nil
}

// sendMail hands a message to the mailer in the background, so that the
// response time does not depend on whether a message is sent; what is the
// kind of mail for the log.
func (s *Service) sendMail(ctx context.Context, to, subject, body, what string) {
	s.mail.Add(1)
	go func() {
		defer s.mail.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := s.mailer.Send(sctx, to, subject, body); err != nil {
			s.log.Error(what+" mail not sent", slog.String("to_hash", emailKey(to)), slog.String("error", err.Error()))
		}
	}()
}

var errBadReset = apperr.New(apperr.Invalid, "This reset link is invalid, expired or already used. Ask for a new one.")

// ResetPassword sets a new password with a reset token. The token is claimed
// in the same transaction as the change, so it works once; a password the
// policy refuses leaves it unused. Every API token of the user, personal keys
// included, is revoked in that transaction (a reset is account recovery:
// tokens made before it may be in the wrong hands); the caller ends the
// user's sessions and tells the user. It returns the user's id.
func (s *Service) ResetPassword(ctx context.Context, raw, password string, m Meta) (int64, error) {
	if raw == "" || len(raw) > 100 {
		return 0, errBadReset
	}
	var userID int64
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		uid, err := q.UsePasswordReset(ctx, hashToken(raw))
		if db.IsNotFound(err) {
			return errBadReset
		}
		if err != nil {
			return err
		}
		u, err := q.GetUser(ctx, uid)
		if err != nil {
			return errBadReset
		}
		if err := CheckPasswordPolicy(password, u.Email, u.DisplayName); err != nil {
			return err
		}
		hash, err := s.hashPassword(ctx, password)
		if err != nil {
			return err
		}
		if err := q.UpdateUserPassword(ctx, db.UpdateUserPasswordParams{ID: uid, PasswordHash: hash}); err != nil {
			return err
		}
		if err := q.InvalidatePasswordResets(ctx, uid); err != nil {
			return err
		}
		if err := q.RevokeAllAPITokens(ctx, uid); err != nil {
			return err
		}
		userID = uid
		return audit(ctx, q, m, EventPasswordReset, uid, uid, map[string]any{"tokens_revoked": true})
	})
	if err != nil {
		return 0, err
	}
	return userID, nil
}

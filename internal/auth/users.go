package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Registration is the sign-up form.
type Registration struct {
	Email    string `validate:"required,email,max=254"`
	Name     string `validate:"required,max=80"`
	Password string `validate:"required"`
}

var registrationMessages = map[string]string{
	"email.required": "Enter your email address.",
	"email.email":    "Enter a valid email address.",
	"email.max":      "Use at most 254 characters.",
	"name.required":  "Enter the name to show on your account.",
	"name.max":       "Use at most 80 characters.",
	"password":       "Choose a password.",
}

// Register creates a trader account at once, for callers that need no proof
// of the address (tests, tools); it says when the email is taken. The
// sign-up form uses SignUp and ConfirmSignUp instead, which never tell.
// Field problems come back as one apperr.Invalid with a message per field.
func (s *Service) Register(ctx context.Context, in Registration, m Meta) (User, error) {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if err := s.validate.Struct(in); err != nil {
		return User{}, fieldErrors(err, registrationMessages)
	}
	if err := CheckPasswordPolicy(in.Password, in.Email, in.Name); err != nil {
		return User{}, err
	}
	return s.create(ctx, in, RoleTrader, 0, m)
}

// CreateUser creates an account with a role, for the CLI and admins. The
// password must satisfy the same policy.
func (s *Service) CreateUser(ctx context.Context, in Registration, role string, actorID int64, m Meta) (User, error) {
	in.Email = NormaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if err := s.validate.Struct(in); err != nil {
		return User{}, fieldErrors(err, registrationMessages)
	}
	if role != RoleTrader && role != RoleAdmin {
		return User{}, apperr.FieldError("role", "Role must be trader or admin.")
	}
	if err := CheckPasswordPolicy(in.Password, in.Email, in.Name); err != nil {
		return User{}, err
	}
	return s.create(ctx, in, role, actorID, m)
}

func (s *Service) create(ctx context.Context, in Registration, role string, actorID int64, m Meta) (User, error) {
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	var u db.User
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		u, err = q.CreateUser(ctx, db.CreateUserParams{
			Pseudonym: newPseudonym(), Email: in.Email, DisplayName: in.Name, PasswordHash: hash, Role: role,
		})
		if db.IsUniqueViolation(err, "users_email_key") {
			return apperr.FieldError("email", "An account with this email already exists. Sign in, or reset your password.")
		}
		if err != nil {
			return err
		}
		return audit(ctx, q, m, EventRegister, u.ID, actorID, map[string]any{"role": role})
	})
	return userFrom(u), err
}

func newPseudonym() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "u_" + hex.EncodeToString(b)
}

// GetUser loads an active or disabled (not deleted) account.
func (s *Service) GetUser(ctx context.Context, id int64) (User, error) {
	u, err := s.q.GetUser(ctx, id)
	if db.IsNotFound(err) {
		return User{}, apperr.New(apperr.NotFound, "User not found.")
	}
	return userFrom(u), err
}

// FindUser loads an account by email.
func (s *Service) FindUser(ctx context.Context, email string) (User, error) {
	u, err := s.q.GetUserByEmail(ctx, NormaliseEmail(email))
	if db.IsNotFound(err) {
		return User{}, apperr.New(apperr.NotFound, "No account with email %s.", NormaliseEmail(email))
	}
	return userFrom(u), err
}

// RecordSignOut writes the sign-out audit event.
func (s *Service) RecordSignOut(ctx context.Context, userID int64, m Meta) error {
	return audit(ctx, s.q, m, EventSignOut, userID, 0, nil)
}

// RecordSessionEnd writes the audit event for a session ended from settings.
func (s *Service) RecordSessionEnd(ctx context.Context, userID int64, m Meta) error {
	return audit(ctx, s.q, m, EventSessionEnd, userID, userID, nil)
}

// UpdateProfile changes the display name.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, name string, m Meta) (User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 80 {
		return User{}, apperr.FieldError("name", "Enter a name of 1 to 80 characters.")
	}
	var u db.User
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		var err error
		if u, err = q.UpdateUserProfile(ctx, db.UpdateUserProfileParams{ID: userID, DisplayName: name}); err != nil {
			return err
		}
		return audit(ctx, q, m, EventProfileChange, userID, userID, nil)
	})
	return userFrom(u), err
}

// ChangePassword replaces the password after checking the current one (under
// the throttle) and, in the same transaction, revokes every API token of the
// user, personal keys included: whoever learnt the old password may have
// made one. The caller ends the user's other sessions and tells the user.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next string, m Meta) error {
	row, err := s.q.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, row, current, m, "current", "The current password is not correct."); err != nil {
		return err
	}
	if err := CheckPasswordPolicy(next, row.Email, row.DisplayName); err != nil {
		return err
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.UpdateUserPassword(ctx, db.UpdateUserPasswordParams{ID: userID, PasswordHash: hash}); err != nil {
			return err
		}
		if err := q.InvalidatePasswordResets(ctx, userID); err != nil {
			return err
		}
		if err := q.RevokeAllAPITokens(ctx, userID); err != nil {
			return err
		}
		return audit(ctx, q, m, EventPasswordChange, userID, userID, map[string]any{"tokens_revoked": true})
	})
}

// SetRole changes a user's role (admin action or CLI).
func (s *Service) SetRole(ctx context.Context, actorID, userID int64, role string, m Meta) (User, error) {
	if role != RoleTrader && role != RoleAdmin {
		return User{}, apperr.FieldError("role", "Role must be trader or admin.")
	}
	var u db.User
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		before, err := q.GetUser(ctx, userID)
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "User not found.")
		}
		if err != nil {
			return err
		}
		if u, err = q.SetUserRole(ctx, db.SetUserRoleParams{ID: userID, Role: role}); err != nil {
			return err
		}
		return audit(ctx, q, m, EventRoleChange, userID, actorID, map[string]any{"from": before.Role, "to": role})
	})
	return userFrom(u), err
}

// SetDisabled disables or re-enables an account. A disabled account cannot
// sign in, and its sessions and tokens stop working at their next request.
func (s *Service) SetDisabled(ctx context.Context, actorID, userID int64, disabled bool, m Meta) (User, error) {
	var u db.User
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		var err error
		u, err = q.SetUserDisabled(ctx, db.SetUserDisabledParams{ID: userID, Disabled: disabled})
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "User not found.")
		}
		if err != nil {
			return err
		}
		event := EventEnable
		if disabled {
			event = EventDisable
		}
		return audit(ctx, q, m, event, userID, actorID, nil)
	})
	return userFrom(u), err
}

// DeleteAccount erases the user's profile and contact data after checking the
// password (under the throttle): the row keeps only its pseudonym, tokens are
// revoked and the user's own network traces in the audit log are erased. The
// caller ends the sessions.
func (s *Service) DeleteAccount(ctx context.Context, userID int64, password string, m Meta) error {
	row, err := s.q.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, row, password, m, "password", "The password is not correct."); err != nil {
		return err
	}
	return db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		for _, step := range []func() error{
			func() error { return q.RevokeAllAPITokens(ctx, userID) },
			func() error { return q.InvalidatePasswordResets(ctx, userID) },
			func() error { return q.DeidentifyAuditEvents(ctx, &userID) },
			func() error { return q.DeidentifyUser(ctx, userID) },
			func() error {
				return audit(ctx, q, Meta{RequestID: m.RequestID}, EventDelete, userID, userID, map[string]any{"pseudonym": row.Pseudonym})
			},
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

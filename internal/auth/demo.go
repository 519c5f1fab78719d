package auth

import (
	"context"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// The demo account that `qlibpro seed --demo-user` creates for development:
// an admin whose password is published in the README.
const (
	DemoEmail    = "demo@qlibpro.com.au"
	DemoPassword = "qlibpro demo trader 2026" // #nosec G101 -- the published demo password, refused in production and by the password policy
)

// CreateDemoUser creates the demo admin with password (DemoPassword unless
// DEMO_PASSWORD says otherwise). Only the length rules apply: the account's
// password is public by design, which is why the policy refuses it for
// everyone else and production refuses the account.
func (s *Service) CreateDemoUser(ctx context.Context, password string, m Meta) (User, error) {
	if err := checkPasswordLength(password); err != nil {
		return User{}, err
	}
	in := Registration{Email: DemoEmail, Name: "Demo Trader", Password: password}
	return s.create(ctx, in, RoleAdmin, 0, m)
}

var errDemoRefused = apperr.New(apperr.Forbidden,
	"The demo account cannot sign in on this production server: its password is published. Sign in with your own account.")

// refusesDemo reports whether email is the demo account's and this server
// refuses it (production).
func (s *Service) refusesDemo(email string) bool {
	return s.opts.RefuseDemo && NormaliseEmail(email) == DemoEmail
}

package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Mailer sends one plain-text message.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Options configures the account service.
type Options struct {
	Argon2        Argon2Params
	ResetTTL      time.Duration // password-reset link lifetime (30 minutes)
	SignUpTTL     time.Duration // sign-up confirmation link lifetime (24 hours)
	LoginTokenTTL time.Duration // lifetime of tokens from POST /api/v1/auth/login
	BaseURL       string        // origin for links in e-mails
	// ResetsPerIP and SignUpsPerIP are how many password-reset and sign-up
	// requests one client address may make per hour; more get 429.
	ResetsPerIP  int64
	SignUpsPerIP int64
	// RefuseDemo refuses the demo account (DemoEmail) sign-in and tokens:
	// set in production, where its published password must open nothing.
	RefuseDemo bool
	// Hashing bounds the password hashes running at once (default:
	// DefaultHashConcurrency slots, a one-second wait).
	Hashing *HashLimiter
	// OnLogin is told the result of every sign-in attempt: success, failure or locked.
	OnLogin func(result string)
	// OnRefused is told each request refused by a limit other than the
	// sign-in throttle: password_check (wrong current passwords in
	// settings), signup_ip or reset_ip.
	OnRefused func(limit string)
}

// Service is the account domain: users, sign-in, tokens, resets and audit.
type Service struct {
	pool     *pgxpool.Pool
	q        *db.Queries
	throttle *Throttle
	mailer   Mailer
	log      *slog.Logger
	opts     Options
	validate *validator.Validate
	mail     sync.WaitGroup // e-mails being sent in the background
}

// NewService wires the account service.
func NewService(pool *pgxpool.Pool, throttle *Throttle, mailer Mailer, log *slog.Logger, opts Options) *Service {
	if opts.Argon2.MemoryKiB == 0 {
		opts.Argon2 = DefaultArgon2
	}
	if opts.ResetTTL == 0 {
		opts.ResetTTL = 30 * time.Minute
	}
	if opts.SignUpTTL == 0 {
		opts.SignUpTTL = 24 * time.Hour
	}
	if opts.LoginTokenTTL == 0 {
		opts.LoginTokenTTL = 12 * time.Hour
	}
	if opts.ResetsPerIP == 0 {
		opts.ResetsPerIP = 20
	}
	if opts.SignUpsPerIP == 0 {
		opts.SignUpsPerIP = 10
	}
	if opts.Hashing == nil {
		opts.Hashing = NewHashLimiter(DefaultHashConcurrency(), time.Second, nil)
	}
	if opts.OnLogin == nil {
		opts.OnLogin = func(string) {}
	}
	if opts.OnRefused == nil {
		opts.OnRefused = func(string) {}
	}
	return &Service{pool: pool, q: db.New(pool), throttle: throttle, mailer: mailer, log: log, opts: opts,
		validate: validator.New(validator.WithRequiredStructEnabled())}
}

// Wait blocks until background e-mails have been handed to the mail server
// (graceful shutdown).
func (s *Service) Wait() { s.mail.Wait() }

// Role names.
const (
	RoleTrader = "trader"
	RoleAdmin  = "admin"
)

// User is an account as the rest of the application sees it.
type User struct {
	ID          int64
	Pseudonym   string
	Email       string
	Name        string
	Role        string
	Disabled    bool
	CreatedAt   time.Time
	LastLoginAt *time.Time
	PasswordAt  time.Time
}

// IsAdmin reports whether the user has the admin role.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

func userFrom(r db.User) User {
	return User{ID: r.ID, Pseudonym: r.Pseudonym, Email: r.Email, Name: r.DisplayName, Role: r.Role,
		Disabled: r.DisabledAt != nil, CreatedAt: r.CreatedAt, LastLoginAt: r.LastLoginAt, PasswordAt: r.PasswordChangedAt}
}

// NormaliseEmail trims and lower-cases an address so that uniqueness is case-insensitive.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// randomToken returns a URL-safe random string of n bytes of entropy and its SHA-256.
func randomToken(prefix string, n int) (string, []byte) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	raw := prefix + base64.RawURLEncoding.EncodeToString(b)
	return raw, hashToken(raw)
}

func hashToken(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}

// fieldErrors turns validator errors into one apperr with a message per field.
func fieldErrors(err error, messages map[string]string) error {
	verrs, ok := err.(validator.ValidationErrors)
	if !ok {
		return err
	}
	fields := map[string]string{}
	first := ""
	for _, fe := range verrs {
		name := strings.ToLower(fe.Field())
		msg := messages[name+"."+fe.Tag()]
		if msg == "" {
			msg = messages[name]
		}
		if msg == "" {
			msg = "This value is not valid."
		}
		if _, dup := fields[name]; !dup {
			fields[name] = msg
		}
		if first == "" {
			first = name
		}
	}
	return &apperr.Error{Code: apperr.Invalid, Field: first, Message: fields[first], Fields: fields}
}

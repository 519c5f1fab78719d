package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/views/layouts"
)

// Session keys.
const (
	sessUserID = "user_id"
	sessID     = "sid"  // the id of this session in the user's session index
	sessCSRF   = "csrf" // the per-session CSRF token
	sessRole   = "role" // the role the session was issued for
	// sessPasswordNotice carries the password-change notice across the
	// page reload that follows it under htmx.
	sessPasswordNotice = "password_notice"
	ctxUser            = "user" // *auth.User on the echo.Context

	ctxSessionLoaded = "session_loaded"
)

// newSessionManager configures scs with the Redis store and the cookie rules.
func newSessionManager(cfg config.Config, rdb *redis.Client) *scs.SessionManager {
	sm := scs.New()
	sm.Store = goredisstore.NewWithPrefix(rdb, cfg.RedisPrefix+"session:")
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdleTimeout
	sm.Cookie.Name = cfg.SessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = cfg.SessionSecure
	// Lax, not Strict: links from alert e-mails must arrive signed in.
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = true
	return sm
}

// sessions is the session machinery the page handlers share.
type sessions struct {
	sm    *scs.SessionManager
	store auth.SessionStore
	index *auth.SessionIndex
	users *auth.Service
	cop   *http.CrossOriginProtection
}

func newSessions(sm *scs.SessionManager, rdb *redis.Client, prefix string, users *auth.Service) *sessions {
	store := sm.Store.(auth.SessionStore)
	return &sessions{sm: sm, store: store, index: auth.NewSessionIndex(rdb, prefix, store), users: users,
		cop: http.NewCrossOriginProtection()}
}

var errSignedOut = apperr.New(apperr.Unauthorized, "The session has ended.")

// stillSignedIn returns a check that the request's session still exists and
// its user may still use it, for a stream opened in it: the stream ends
// when the session signs out, is ended from the settings page, expires or
// is renewed (a role change), or the user is disabled or deleted.
func (s *sessions) stillSignedIn(c echo.Context) streamAuth {
	token := s.sm.Token(c.Request().Context())
	userID := currentUser(c).ID
	return func(ctx context.Context) error {
		if _, found, err := s.store.FindCtx(ctx, token); err != nil || !found {
			return errors.Join(errSignedOut, err)
		}
		u, err := s.users.GetUser(ctx, userID)
		if err != nil || u.Disabled {
			return errors.Join(errSignedOut, err)
		}
		return nil
	}
}

// middleware loads the session, runs the error handler inside it (so a failed
// handler still commits the session once), loads the signed-in user and
// checks CSRF on state-changing requests.
func (s *sessions) middleware() []echo.MiddlewareFunc {
	return append(s.sessionOnly(), s.checkCSRF)
}

// sessionOnly is middleware without the CSRF check, for the one route that
// checks CSRF itself while streaming its body (readStreamedForm).
func (s *sessions) sessionOnly() []echo.MiddlewareFunc {
	return []echo.MiddlewareFunc{echo.WrapMiddleware(s.sm.LoadAndSave), errorsInside, removeMultipart, s.loadUser}
}

// removeMultipart deletes the temporary files of a parsed multipart form
// when the request ends. net/http does that itself, but scs hands handlers
// a copy of the request (WithContext), whose parsed form net/http never
// sees; this runs inside the session middleware, on that copy.
func removeMultipart(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		defer func() {
			if f := c.Request().MultipartForm; f != nil {
				_ = f.RemoveAll()
			}
		}()
		return next(c)
	}
}

// errorsInside renders errors before scs writes its cookie.
func errorsInside(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			c.Error(err)
		}
		return nil
	}
}

// loadUser puts the signed-in, enabled user on the context. A session whose
// user was deleted or disabled is destroyed.
func (s *sessions) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxSessionLoaded, true)
		ctx := c.Request().Context()
		id := s.sm.GetInt64(ctx, sessUserID)
		if id == 0 {
			return next(c)
		}
		u, err := s.users.GetUser(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && u.Disabled) {
			_ = s.index.Forget(ctx, id, s.sm.GetString(ctx, sessID))
			if err := s.sm.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		}
		if err != nil {
			return err
		}
		if s.sm.GetString(ctx, sessRole) != u.Role {
			// The role changed since sign-in: renew the session token.
			if err := s.renew(c, u); err != nil {
				return err
			}
		}
		c.Set(ctxUser, &u)
		// Pages and exports for a signed-in user are theirs alone: no cache
		// (browser history, a shared proxy) may keep them.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// currentUser returns the signed-in user or nil.
func currentUser(c echo.Context) *auth.User {
	u, _ := c.Get(ctxUser).(*auth.User)
	return u
}

// csrfToken returns the session's CSRF token, creating it (and so the
// session) on first use — only pages with forms call this for visitors.
func (s *sessions) csrfToken(c echo.Context) string {
	ctx := c.Request().Context()
	if t := s.sm.GetString(ctx, sessCSRF); t != "" {
		return t
	}
	t := randomString(32)
	s.sm.Put(ctx, sessCSRF, t)
	return t
}

// existingCSRF returns the token only when the visitor already has one, so
// that rendering an ordinary page does not create a session. Responses
// rendered outside the session middleware (static files, 404s for unknown
// paths) have none.
func (s *sessions) existingCSRF(c echo.Context) string {
	if c.Get(ctxSessionLoaded) == nil {
		return ""
	}
	return s.sm.GetString(c.Request().Context(), sessCSRF)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	errCSRF        = apperr.New(apperr.Forbidden, "The form's security token is missing or out of date. Reload the page and try again.")
	errCrossOrigin = apperr.New(apperr.Forbidden, "Cross-site request refused.")
)

// checkOrigin refuses state-changing requests that are cross-site (Go's
// CrossOriginProtection: Sec-Fetch-Site / Origin), from the headers alone.
func (s *sessions) checkOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.cop.Check(c.Request()); err != nil {
			return errCrossOrigin
		}
		return next(c)
	}
}

// checkCSRF refuses state-changing requests that are cross-site (Go's
// CrossOriginProtection: Sec-Fetch-Site / Origin) or lack the session's token
// (form field _csrf or header X-CSRF-Token, as htmx sends it from <body>).
func (s *sessions) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := s.cop.Check(r); err != nil {
			return errCrossOrigin
		}
		want := s.sm.GetString(r.Context(), sessCSRF)
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("_csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// signIn starts an authenticated session: a new token (the old one is dead),
// a fresh CSRF token, and an entry in the user's session index.
func (s *sessions) signIn(c echo.Context, u auth.User) error {
	ctx := c.Request().Context()
	s.sm.Put(ctx, sessID, randomString(12))
	s.sm.Put(ctx, sessCSRF, randomString(32))
	return s.renew(c, u)
}

// renew gives the session a new token for user u and records it in the index.
func (s *sessions) renew(c echo.Context, u auth.User) error {
	ctx := c.Request().Context()
	if err := s.sm.RenewToken(ctx); err != nil {
		return err
	}
	s.sm.Put(ctx, sessUserID, u.ID)
	s.sm.Put(ctx, sessRole, u.Role)
	return s.index.Add(ctx, u.ID, auth.SessionInfo{
		ID: s.sm.GetString(ctx, sessID), Token: s.sm.Token(ctx), CreatedAt: time.Now().UTC(),
		IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
}

// signOut destroys the session in Redis and drops it from the index.
func (s *sessions) signOut(c echo.Context) error {
	ctx := c.Request().Context()
	if u := currentUser(c); u != nil {
		_ = s.index.Forget(ctx, u.ID, s.sm.GetString(ctx, sessID))
	}
	return s.sm.Destroy(ctx)
}

// requireUser sends visitors to the sign-in page with a return path.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != nil {
			return next(c)
		}
		r := c.Request()
		if r.Method != http.MethodGet {
			return apperr.New(apperr.Unauthorized, "Sign in first.")
		}
		return redirect(c, "/signin?next="+url.QueryEscape(r.URL.RequestURI()))
	}
}

// requireAdmin allows only admins; visitors are sent to sign in first.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return requireUser(func(c echo.Context) error {
		if !currentUser(c).IsAdmin() {
			return apperr.New(apperr.Forbidden, "This page is for administrators.")
		}
		return next(c)
	})
}

// safeNext returns next when it is a local path on this site, else "/".
// Refused: absolute URLs, scheme-relative "//host", backslash tricks and
// anything with control characters.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// shellUser maps the signed-in user for the layout.
func shellUser(c echo.Context) *layouts.User {
	u := currentUser(c)
	if u == nil {
		return nil
	}
	return &layouts.User{Name: u.Name, IsAdmin: u.IsAdmin()}
}

// meta describes the request for the audit log.
func meta(c echo.Context) auth.Meta {
	return auth.Meta{IP: c.RealIP(), UserAgent: c.Request().UserAgent(), RequestID: requestID(c)}
}

package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

// apiAuthHandler serves token sign-in and the bearer-token check of /api/v1.
type apiAuthHandler struct {
	users *auth.Service
}

const ctxPrincipal = "principal"

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// handleLogin exchanges email and password for a bearer token.
func (h *apiAuthHandler) handleLogin(c echo.Context) error {
	var in loginRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Email == "" || in.Password == "" {
		return apperr.New(apperr.Invalid, "Send a JSON body with email and password.")
	}
	tok, ttl, err := h.users.LoginToken(c.Request().Context(), in.Email, in.Password, meta(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, loginResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds())})
}

var errTokenInURL = apperr.New(apperr.Unauthorized, "Tokens in the URL are refused; send Authorization: Bearer <token>.")

// requireToken authenticates API requests by bearer token only: never a
// cookie (so no CSRF exposure), never a token in the query string.
func (h *apiAuthHandler) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := c.Request().URL.Query()
		if q.Has("token") || q.Has("access_token") || q.Has("api_key") {
			return errTokenInURL
		}
		raw, ok := bearerToken(c)
		if !ok {
			return apperr.New(apperr.Unauthorized, "Send Authorization: Bearer <token>.")
		}
		p, err := h.users.Authorize(c.Request().Context(), raw)
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, p)
		return next(c)
	}
}

// requireScope refuses API callers whose token lacks scope with 403
// problem+json naming it, and the RFC 6750 insufficient_scope challenge.
// It runs after requireToken.
func requireScope(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if principal(c).Can(scope) {
				return next(c)
			}
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="qlibpro", error="insufficient_scope", scope="`+scope+`"`)
			return apperr.New(apperr.Forbidden, "This token lacks the %q scope that this request needs. "+
				"Create a key with %s access on the settings page, or use a login token.", scope, scope)
		}
	}
}

// bearerToken is the token of the request's Authorization: Bearer header.
func bearerToken(c echo.Context) (string, bool) {
	scheme, raw, ok := strings.Cut(c.Request().Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	return raw, ok && strings.EqualFold(scheme, "Bearer") && raw != ""
}

// stillAuthorized returns a check that the request's bearer token is still
// good, for a stream opened with it: the stream ends when the token is
// revoked or expires, or its user is disabled.
func (h *apiAuthHandler) stillAuthorized(c echo.Context) streamAuth {
	raw, _ := bearerToken(c)
	return func(ctx context.Context) error {
		_, err := h.users.Authorize(ctx, raw)
		return err
	}
}

// principal returns the API caller set by requireToken.
func principal(c echo.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal).(auth.Principal)
	return p
}

type meResponse struct {
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Role   string   `json:"role"`
	Token  string   `json:"token_kind"`
	Scopes []string `json:"scopes"`
}

// handleMe describes the caller.
func (h *apiAuthHandler) handleMe(c echo.Context) error {
	p := principal(c)
	return c.JSON(http.StatusOK, meResponse{Email: p.Email, Name: p.Name, Role: p.Role, Token: p.Kind, Scopes: p.Scopes})
}

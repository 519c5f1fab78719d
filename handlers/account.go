package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// accountHandler serves sign-up, sign-in, sign-out and password resets.
type accountHandler struct {
	users *auth.Service
	s     *sessions
	r     *renderer
}

func (h *accountHandler) form(c echo.Context, values map[string]string) components.Form {
	if values == nil {
		values = map[string]string{}
	}
	return components.Form{CSRF: h.s.csrfToken(c), Values: values}
}

func (h *accountHandler) handleSignInPage(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	f := h.form(c, map[string]string{"next": safeNext(c.QueryParam("next"))})
	return h.r.page(c, http.StatusOK, "Sign in", "", pages.SignIn(f))
}

func (h *accountHandler) handleSignIn(c echo.Context) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	f := h.form(c, map[string]string{"email": email, "next": next})
	u, err := h.users.Authenticate(c.Request().Context(), email, c.FormValue("password"), meta(c))
	if err != nil {
		return h.r.formFailed(c, err, f, "Sign in", "", viewsOf(pages.SignIn, pages.SignInForm))
	}
	if err := h.s.signIn(c, u); err != nil {
		return err
	}
	return redirect(c, next)
}

func (h *accountHandler) handleSignUpPage(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, "/")
	}
	return h.r.page(c, http.StatusOK, "Create your account", "", pages.SignUp(h.form(c, nil)))
}

// handleSignUp answers every accepted sign-up the same way, "check your
// e-mail", whether or not the address has an account: the account is made
// from the e-mailed link (handleSignUpConfirm), and the owner of an existing
// account gets a note instead.
func (h *accountHandler) handleSignUp(c echo.Context) error {
	in := auth.Registration{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password")}
	f := h.form(c, map[string]string{"email": in.Email, "name": in.Name})
	if err := h.users.SignUp(c.Request().Context(), in, meta(c)); err != nil {
		return h.r.formFailed(c, err, f, "Create your account", "", viewsOf(pages.SignUp, pages.SignUpForm))
	}
	f.Notice = "Check your e-mail: we sent a message to " + auth.NormaliseEmail(in.Email) +
		". Open the link in it to finish creating your account."
	return h.r.respond(c, http.StatusOK, "Create your account", "", ready(pages.SignUp(f)), ready(pages.SignUpForm(f)))
}

func (h *accountHandler) handleSignUpConfirmPage(c echo.Context) error {
	f := h.form(c, map[string]string{"token": c.QueryParam("token")})
	return h.r.page(c, http.StatusOK, "Finish creating your account", "", pages.SignUpConfirm(f))
}

func (h *accountHandler) handleSignUpConfirm(c echo.Context) error {
	f := h.form(c, map[string]string{"token": c.FormValue("token")})
	u, err := h.users.ConfirmSignUp(c.Request().Context(), c.FormValue("token"), meta(c))
	if err != nil {
		return h.r.formFailed(c, err, f, "Finish creating your account", "", viewsOf(pages.SignUpConfirm, pages.SignUpConfirmForm))
	}
	if err := h.s.signIn(c, u); err != nil {
		return err
	}
	return redirect(c, "/")
}

func (h *accountHandler) handleSignOut(c echo.Context) error {
	if u := currentUser(c); u != nil {
		if err := h.users.RecordSignOut(c.Request().Context(), u.ID, meta(c)); err != nil {
			return err
		}
	}
	if err := h.s.signOut(c); err != nil {
		return err
	}
	return redirect(c, "/")
}

func (h *accountHandler) handleForgotPage(c echo.Context) error {
	return h.r.page(c, http.StatusOK, "Reset your password", "", pages.Forgot(h.form(c, nil)))
}

func (h *accountHandler) handleForgot(c echo.Context) error {
	email := c.FormValue("email")
	f := h.form(c, map[string]string{"email": email})
	if err := h.users.RequestReset(c.Request().Context(), email, meta(c)); err != nil {
		return h.r.formFailed(c, err, f, "Reset your password", "", viewsOf(pages.Forgot, pages.ForgotForm))
	}
	f.Notice = "If an account uses that email, a reset link is on its way. It works once, for 30 minutes."
	return h.r.respond(c, http.StatusOK, "Reset your password", "", ready(pages.Forgot(f)), ready(pages.ForgotForm(f)))
}

func (h *accountHandler) handleResetPage(c echo.Context) error {
	f := h.form(c, map[string]string{"token": c.QueryParam("token")})
	return h.r.page(c, http.StatusOK, "Choose a new password", "", pages.Reset(f))
}

func (h *accountHandler) handleReset(c echo.Context) error {
	token := c.FormValue("token")
	f := h.form(c, map[string]string{"token": token})
	userID, err := h.users.ResetPassword(c.Request().Context(), token, c.FormValue("password"), meta(c))
	if err != nil {
		return h.r.formFailed(c, err, f, "Choose a new password", "", viewsOf(pages.Reset, pages.ResetForm))
	}
	if _, err := h.s.index.EndAll(c.Request().Context(), userID, ""); err != nil {
		return err
	}
	f.Notice = "Your password is changed, every session was signed out and every API key and login token of the account " +
		"was revoked. Sign in with the new password, and create new API keys on the settings page if your programs need them."
	return h.r.respond(c, http.StatusOK, "Choose a new password", "", ready(pages.Reset(f)), ready(pages.ResetForm(f)))
}

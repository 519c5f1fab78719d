package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// settingsHandler serves the signed-in user's account settings.
type settingsHandler struct {
	users *auth.Service
	s     *sessions
	r     *renderer
}

// view builds the whole settings page for the current user.
func (h *settingsHandler) view(c echo.Context) (pages.SettingsView, error) {
	u := currentUser(c)
	csrf := h.s.csrfToken(c)
	keys, err := h.keys(c, components.Form{CSRF: csrf})
	if err != nil {
		return pages.SettingsView{}, err
	}
	sess, err := h.sessions(c)
	if err != nil {
		return pages.SettingsView{}, err
	}
	return pages.SettingsView{
		Email:    u.Email,
		Profile:  components.Form{CSRF: csrf, Values: map[string]string{"name": u.Name}},
		Password: components.Form{CSRF: csrf, Notice: h.s.sm.PopString(c.Request().Context(), sessPasswordNotice)},
		Keys:     keys,
		Sessions: sess,
		Delete:   components.Form{CSRF: csrf},
	}, nil
}

func (h *settingsHandler) keys(c echo.Context, f components.Form) (pages.KeysView, error) {
	list, err := h.users.ListAPIKeys(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return pages.KeysView{}, err
	}
	v := pages.KeysView{Form: f}
	for _, k := range list {
		row := pages.KeyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: strings.Join(k.Scopes, ", "),
			Created: display.DateTime(k.CreatedAt), Expires: "never", Used: "never"}
		if k.ExpiresAt != nil {
			row.Expires = display.DateTime(*k.ExpiresAt)
		}
		if k.LastUsedAt != nil {
			row.Used = display.DateTime(*k.LastUsedAt)
		}
		v.Keys = append(v.Keys, row)
	}
	return v, nil
}

func (h *settingsHandler) sessions(c echo.Context) (pages.SessionsView, error) {
	ctx := c.Request().Context()
	list, err := h.s.index.List(ctx, currentUser(c).ID)
	if err != nil {
		return pages.SessionsView{}, err
	}
	current := h.s.sm.GetString(ctx, sessID)
	v := pages.SessionsView{CSRF: h.s.csrfToken(c)}
	for _, s := range list {
		v.Sessions = append(v.Sessions, pages.SessionRow{ID: s.ID, Started: display.DateTime(s.CreatedAt),
			IP: s.IP, UserAgent: s.UserAgent, Current: s.ID == current})
	}
	return v, nil
}

func (h *settingsHandler) handleSettings(c echo.Context) error {
	v, err := h.view(c)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Settings", "settings", pages.Settings(v))
}

// respond answers a settings form: its partial for htmx, the whole page with
// that form replaced otherwise.
func (h *settingsHandler) respond(c echo.Context, status int, partial templ.Component, set func(*pages.SettingsView)) error {
	return h.r.respond(c, status, "Settings", "settings", h.page(c, set), ready(partial))
}

// page builds the settings page with set applied to it.
func (h *settingsHandler) page(c echo.Context, set func(*pages.SettingsView)) build {
	return func() (templ.Component, error) {
		v, err := h.view(c)
		if err != nil {
			return nil, err
		}
		set(&v)
		return pages.Settings(v), nil
	}
}

// failed answers a settings form that failed with err's messages in it.
func (h *settingsHandler) failed(c echo.Context, err error, f components.Form,
	partial func(components.Form) templ.Component, set func(*pages.SettingsView, components.Form)) error {
	return h.r.formFailed(c, err, f, "Settings", "settings", func(f components.Form) (build, build) {
		return h.page(c, func(v *pages.SettingsView) { set(v, f) }), ready(partial(f))
	})
}

// keysViews are the API keys panel and its page, for the create form f.
func (h *settingsHandler) keysViews(c echo.Context) formViews {
	return func(f components.Form) (build, build) {
		page := func() (templ.Component, error) {
			keys, err := h.keys(c, f)
			if err != nil {
				return nil, err
			}
			return h.page(c, func(v *pages.SettingsView) { v.Keys = keys })()
		}
		partial := func() (templ.Component, error) {
			keys, err := h.keys(c, f)
			return pages.APIKeys(keys), err
		}
		return page, partial
	}
}

func (h *settingsHandler) handleProfile(c echo.Context) error {
	f := components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{"name": c.FormValue("name")}}
	setProfile := func(v *pages.SettingsView, f components.Form) { v.Profile = f }
	u, err := h.users.UpdateProfile(c.Request().Context(), currentUser(c).ID, c.FormValue("name"), meta(c))
	if err != nil {
		return h.failed(c, err, f, pages.ProfileForm, setProfile)
	}
	c.Set(ctxUser, &u)
	f.Values["name"], f.Notice = u.Name, "Saved."
	return h.respond(c, http.StatusOK, pages.ProfileForm(f), func(v *pages.SettingsView) { setProfile(v, f) })
}

func (h *settingsHandler) handlePassword(c echo.Context) error {
	ctx := c.Request().Context()
	f := components.Form{CSRF: h.s.csrfToken(c)}
	setPassword := func(v *pages.SettingsView, f components.Form) { v.Password = f }
	u := currentUser(c)
	if err := h.users.ChangePassword(ctx, u.ID, c.FormValue("current"), c.FormValue("password"), meta(c)); err != nil {
		return h.failed(c, err, f, pages.PasswordForm, setPassword)
	}
	// Other browsers are signed out; this one gets a new session token.
	old := h.s.sm.GetString(ctx, sessID)
	n, err := h.s.index.EndAll(ctx, u.ID, old)
	if err != nil {
		return err
	}
	if err := h.s.signIn(c, *u); err != nil {
		return err
	}
	if err := h.s.index.Forget(ctx, u.ID, old); err != nil {
		return err
	}
	f.CSRF = h.s.csrfToken(c)
	f.Notice = "Password changed. " + strconv.Itoa(n) + " other session(s) signed out, and every API key and login token of " +
		"your account was revoked: create new keys below for the programs that need them."
	// The page's CSRF token changed with the new session, so htmx reloads the
	// page; the notice waits in the session for that reload.
	h.s.sm.Put(ctx, sessPasswordNotice, f.Notice)
	reloadAfterSwap(c)
	return h.respond(c, http.StatusOK, pages.PasswordForm(f), func(v *pages.SettingsView) { setPassword(v, f) })
}

// keyAccess maps the create-key form's access choice to scopes. A form
// without the field (a script) gets the least: read.
var keyAccess = map[string][]string{
	"":      {auth.ScopeRead},
	"read":  {auth.ScopeRead},
	"trade": {auth.ScopeRead, auth.ScopeTrade},
}

func (h *settingsHandler) handleCreateKey(c echo.Context) error {
	name, expires, access := c.FormValue("name"), c.FormValue("expires"), c.FormValue("access")
	f := components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{"name": name, "expires": expires, "access": access}}
	var exp *time.Time
	var err error
	scopes, ok := keyAccess[access]
	if !ok {
		err = apperr.FieldError("access", "Choose read only, or read and trade.")
	}
	if err == nil && expires != "" {
		var d time.Time
		d, err = time.ParseInLocation(time.DateOnly, expires, asx.Sydney())
		if err != nil {
			err = apperr.FieldError("expires", "Enter a date such as 2027-06-30.")
		}
		end := d.AddDate(0, 0, 1) // valid through the whole day, Sydney time
		exp = &end
	}
	var secret string
	if err == nil {
		secret, _, err = h.users.CreateAPIKey(c.Request().Context(), currentUser(c).ID, name, exp, meta(c), scopes...)
	}
	if err != nil {
		return h.r.formFailed(c, err, f, "Settings", "settings", h.keysViews(c))
	}
	v, err := h.keys(c, components.Form{CSRF: f.CSRF})
	if err != nil {
		return err
	}
	v.Secret = secret
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.respond(c, http.StatusOK, pages.APIKeys(v), func(sv *pages.SettingsView) { sv.Keys = v })
}

func (h *settingsHandler) handleRevokeKey(c echo.Context) error {
	id, err := idParam(c, "API key")
	if err != nil {
		return err
	}
	if err := h.users.RevokeAPIKey(c.Request().Context(), currentUser(c).ID, id, meta(c)); err != nil {
		return err
	}
	v, err := h.keys(c, components.Form{CSRF: h.s.csrfToken(c)})
	if err != nil {
		return err
	}
	return h.respond(c, http.StatusOK, pages.APIKeys(v), func(sv *pages.SettingsView) { sv.Keys = v })
}

func (h *settingsHandler) handleEndSession(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	id := c.Param("id")
	if id == h.s.sm.GetString(ctx, sessID) {
		return apperr.New(apperr.Invalid, "Use Sign out to end this browser's session.")
	}
	ok, err := h.s.index.End(ctx, u.ID, id)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.NotFound, "Session not found.")
	}
	if err := h.users.RecordSessionEnd(ctx, u.ID, meta(c)); err != nil {
		return err
	}
	v, err := h.sessions(c)
	if err != nil {
		return err
	}
	v.Notice = "That session is signed out."
	return h.respond(c, http.StatusOK, pages.Sessions(v), func(sv *pages.SettingsView) { sv.Sessions = v })
}

func (h *settingsHandler) handleDelete(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	f := components.Form{CSRF: h.s.csrfToken(c)}
	if err := h.users.DeleteAccount(ctx, u.ID, c.FormValue("password"), meta(c)); err != nil {
		return h.failed(c, err, f, pages.DeleteForm, func(v *pages.SettingsView, f components.Form) { v.Delete = f })
	}
	if _, err := h.s.index.EndAll(ctx, u.ID, ""); err != nil {
		return err
	}
	if err := h.s.sm.Destroy(ctx); err != nil {
		return err
	}
	return redirect(c, "/")
}

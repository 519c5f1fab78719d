package handlers

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// portfolioAccountsHandler lists, opens and resets paper accounts.
type portfolioAccountsHandler struct {
	pf *portfolio.Service
	s  *sessions
	r  *renderer
}

func (h *portfolioAccountsHandler) view(c echo.Context, f components.Form) (pages.AccountsPageView, error) {
	ctx := c.Request().Context()
	user := currentUser(c).ID
	accts, err := h.pf.Accounts(ctx, user)
	if err != nil {
		return pages.AccountsPageView{}, err
	}
	nav, err := portfolioNav(ctx, h.pf, user, accts[0], "accounts", "/portfolio")
	if err != nil {
		return pages.AccountsPageView{}, err
	}
	v := pages.AccountsPageView{Nav: nav, Form: f, Script: h.r.assets.URL("js/portfolio.js")}
	for _, a := range accts {
		row := pages.AccountRow{ID: a.ID, Name: a.Name, Cash: display.Money(a.Cash), Start: display.Money(a.StartingBalance),
			Schedule: a.FeeSchedule, Method: methodLabel(a.Method), Created: display.DateTime(h.pf.SessionTime(a.CreatedAt)),
			Default: a.IsDefault, CSRF: f.CSRF}
		if a.ResetAt != nil {
			row.Reset = display.DateTime(h.pf.SessionTime(*a.ResetAt))
		}
		v.Accounts = append(v.Accounts, row)
	}
	return v, nil
}

func (h *portfolioAccountsHandler) form(c echo.Context) components.Form {
	return components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{
		"name": c.FormValue("name"), "starting_balance": c.FormValue("starting_balance"),
		"fee_schedule": c.FormValue("fee_schedule"), "method": c.FormValue("method")}}
}

func (h *portfolioAccountsHandler) handleList(c echo.Context) error {
	f := components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{"fee_schedule": "commsec", "method": "fifo"}}
	v, err := h.view(c, f)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Paper accounts", "portfolio", pages.PortfolioAccounts(v))
}

func (h *portfolioAccountsHandler) handleCreate(c echo.Context) error {
	f := h.form(c)
	a, err := h.pf.CreateAccount(c.Request().Context(), currentUser(c).ID, portfolio.NewAccount{
		Name: f.Value("name"), StartingBalance: f.Value("starting_balance"),
		FeeSchedule: f.Value("fee_schedule"), Method: f.Value("method")})
	if err != nil {
		return h.r.formFailed(c, err, f, "Paper accounts", "portfolio", func(f components.Form) (build, build) {
			page := func() (templ.Component, error) {
				v, err := h.view(c, f)
				return pages.PortfolioAccounts(v), err
			}
			return page, ready(pages.AccountForm(f))
		})
	}
	return redirect(c, "/portfolio/accounts/"+strconv.FormatInt(a.ID, 10))
}

func (h *portfolioAccountsHandler) handleReset(c echo.Context) error {
	id, err := idParam(c, "Paper account")
	if err != nil {
		return err
	}
	a, err := h.pf.ResetAccount(c.Request().Context(), currentUser(c).ID, id, c.FormValue("starting_balance"))
	if err != nil {
		return err
	}
	return redirect(c, "/portfolio/accounts/"+strconv.FormatInt(a.ID, 10))
}

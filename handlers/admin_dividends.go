package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// adminDividendsHandler lists dividend events and imports them from CSV
// (admins only; see routes.go).
type adminDividendsHandler struct {
	pf *portfolio.Service
	s  *sessions
	r  *renderer
}

func (h *adminDividendsHandler) view(c echo.Context, f components.Form) (components.DividendAdminView, error) {
	events, err := h.pf.DividendEvents(c.Request().Context(), 200)
	if err != nil {
		return components.DividendAdminView{}, err
	}
	v := components.DividendAdminView{Form: f, Header: portfolio.DividendCSVHeader, ShippedHeader: portfolio.DividendCSVHeaderShipped}
	for _, e := range events {
		v.Events = append(v.Events, components.DividendEventRow{Code: e.Code, Kind: e.Kind, ExDate: display.ShortDate(e.ExDate), PayDate: display.ShortDate(e.PayDate),
			Amount: "$" + e.Amount.StringFixed(4), Franking: display.Franking(e.FrankingPct), Source: e.Source})
	}
	return v, nil
}

func (h *adminDividendsHandler) handleList(c echo.Context) error {
	v, err := h.view(c, components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{}})
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Dividend events", "admin", pages.AdminDividends(v))
}

func (h *adminDividendsHandler) handleImport(c echo.Context) error {
	text, err := importCSV(c)
	form := components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{"csv": text}}
	var res portfolio.DividendImport
	if err == nil {
		res, err = h.pf.ImportDividends(c.Request().Context(), strings.NewReader(text))
	}
	if err != nil {
		return h.r.formFailed(c, err, form, "Dividend events", "admin", h.views(c))
	}
	form.Values["csv"] = ""
	form.Notice = importNotice(res)
	page, partial := h.views(c)(form)
	return h.r.respond(c, http.StatusOK, "Dividend events", "admin", page, partial)
}

// views are the page and the import panel around form f.
func (h *adminDividendsHandler) views(c echo.Context) formViews {
	return func(f components.Form) (build, build) {
		page := func() (templ.Component, error) {
			v, err := h.view(c, f)
			return pages.AdminDividends(v), err
		}
		partial := func() (templ.Component, error) {
			v, err := h.view(c, f)
			return components.DividendImport(v), err
		}
		return page, partial
	}
}

// importNotice says what an import did, naming the lines it skipped.
func importNotice(res portfolio.DividendImport) string {
	msg := strconv.Itoa(res.Lines) + " dividend line(s) read, " + strconv.Itoa(res.Changed) +
		" event(s) added or changed. Holders at the close before each ex-date are paid on the pay date."
	if n := len(res.Skipped); n > 0 {
		shown := res.Skipped
		if n > 5 {
			shown = append(shown[:5:5], "and "+strconv.Itoa(n-5)+" more")
		}
		msg += " Not loaded: " + strings.Join(shown, "; ") + "."
	}
	return msg
}

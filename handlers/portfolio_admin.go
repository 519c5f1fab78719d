package handlers

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// DividendAdminHandler imports dividend events from CSV (admins only; see
// routes.go).
type DividendAdminHandler struct {
	pf *portfolio.Service
	s  *sessions
	r  *renderer
}

func (h *DividendAdminHandler) view(c echo.Context, f components.Form) (components.DividendAdminView, error) {
	events, err := h.pf.DividendEvents(c.Request().Context(), 200)
	if err != nil {
		return components.DividendAdminView{}, err
	}
	v := components.DividendAdminView{Form: f, Header: portfolio.DividendCSVHeader}
	for _, e := range events {
		v.Events = append(v.Events, components.DividendEventRow{Code: e.Code, ExDate: fmtDate(e.ExDate), PayDate: fmtDate(e.PayDate),
			Amount: "$" + e.Amount.StringFixed(4), Franking: e.FrankingPct.String() + " %"})
	}
	return v, nil
}

func (h *DividendAdminHandler) handleList(c echo.Context) error {
	v, err := h.view(c, components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{}})
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Dividend events", "admin", pages.AdminDividends(v))
}

const maxDividendCSV = 1 << 20

func (h *DividendAdminHandler) handleImport(c echo.Context) error {
	text := c.FormValue("csv")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, maxDividendCSV+1))
		f.Close()
		if err != nil {
			return err
		}
		text = string(b)
	}
	form := components.Form{CSRF: h.s.csrfToken(c), Values: map[string]string{"csv": text}}
	var err error
	var n int
	if len(text) > maxDividendCSV {
		err = apperr.FieldError("csv", "The file is larger than 1 MB.")
	} else if strings.TrimSpace(text) == "" {
		err = apperr.FieldError("csv", "Paste the CSV or choose a file.")
	} else {
		n, err = h.pf.ImportDividends(c.Request().Context(), strings.NewReader(text))
	}
	page := func(f components.Form) templ.Component {
		v, verr := h.view(c, f)
		if verr != nil {
			return components.DividendImport(components.DividendAdminView{Form: f})
		}
		return pages.AdminDividends(v)
	}
	partial := func(f components.Form) templ.Component {
		v, verr := h.view(c, f)
		if verr != nil {
			return components.DividendImport(components.DividendAdminView{Form: f})
		}
		return components.DividendImport(v)
	}
	if err != nil {
		return h.r.formFailed(c, err, form, "Dividend events", page, partial)
	}
	form.Values["csv"] = ""
	form.Notice = strconv.Itoa(n) + " dividend event(s) imported. Holders at each ex-date are paid on the pay date."
	if isHTMX(c) {
		return component(c, http.StatusOK, partial(form))
	}
	return h.r.page(c, http.StatusOK, "Dividend events", "admin", page(form))
}

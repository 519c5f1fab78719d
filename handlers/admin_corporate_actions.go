package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// adminCorporateActionsHandler lists corporate actions, adds or corrects one
// from a form and imports them from CSV (admins only; see routes.go). A save
// recomputes the adjustment factors at once and queues the recompute of the
// codes' features and signals.
type adminCorporateActionsHandler struct {
	actions *corpaction.Service
	jobs    *jobs.Client
	s       *sessions
	r       *renderer
}

const corporateActionsTitle = "Corporate actions"

var corporateActionFields = []string{"code", "ex_date", "kind", "ratio", "adjustment_factor", "source", "note"}

func (h *adminCorporateActionsHandler) handleList(c echo.Context) error {
	code := strings.ToUpper(strings.TrimSpace(c.QueryParam("code")))
	if code != "" && !hub.ValidCode(code) {
		return apperr.FieldError("code", "code must be an ASX code")
	}
	v, err := h.view(c, code, components.Form{Values: map[string]string{"kind": "split"}}, components.Form{Values: map[string]string{}})
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, corporateActionsTitle, "admin", pages.AdminCorporateActions(v))
}

// handleSave adds or corrects one action from the form.
func (h *adminCorporateActionsHandler) handleSave(c echo.Context) error {
	f := components.Form{Values: map[string]string{}}
	for _, k := range corporateActionFields {
		f.Values[k] = c.FormValue(k)
	}
	a, errs := corpaction.Parse(corpaction.Input{Code: f.Values["code"], ExDate: f.Values["ex_date"], Kind: f.Values["kind"],
		Ratio: f.Values["ratio"], Factor: f.Values["adjustment_factor"], Source: f.Values["source"], Note: f.Values["note"]})
	var err error
	if len(errs) > 0 {
		err = &apperr.Error{Code: apperr.Invalid, Message: "Check the corporate action.", Fields: errs}
	}
	var notice, job string
	if err == nil {
		notice, job, err = h.save(c, []corpaction.Action{a})
	}
	views := func(f components.Form) (build, build) {
		return h.views(c, f, components.Form{Values: map[string]string{}}, "")
	}
	if err != nil {
		return h.r.formFailed(c, err, f, corporateActionsTitle, "admin", views)
	}
	f = components.Form{Values: map[string]string{"kind": f.Values["kind"]}, Notice: notice}
	page, partial := h.views(c, f, components.Form{Values: map[string]string{}}, job)
	return h.r.respond(c, http.StatusOK, corporateActionsTitle, "admin", page, partial)
}

// handleImport adds or corrects the actions of a CSV file, all or nothing.
func (h *adminCorporateActionsHandler) handleImport(c echo.Context) error {
	text, err := importCSV(c)
	f := components.Form{Values: map[string]string{"csv": text}}
	var notice, job string
	if err == nil {
		var actions []corpaction.Action
		if actions, err = corpaction.ReadCSV(strings.NewReader(text)); err == nil {
			notice, job, err = h.save(c, actions)
		}
	}
	views := func(f components.Form) (build, build) {
		return h.views(c, components.Form{Values: map[string]string{"kind": "split"}}, f, "")
	}
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Field != "" && ae.Field != "csv" {
			// A problem of one field of a line (an unknown code) belongs to the file.
			err = &apperr.Error{Code: ae.Code, Field: "csv", Message: ae.Message}
		}
		return h.r.formFailed(c, err, f, corporateActionsTitle, "admin", views)
	}
	f = components.Form{Values: map[string]string{}, Notice: notice}
	page, partial := h.views(c, components.Form{Values: map[string]string{"kind": "split"}}, f, job)
	return h.r.respond(c, http.StatusOK, corporateActionsTitle, "admin", page, partial)
}

// handleDelete removes one action (a wrong ex-date or a duplicate).
func (h *adminCorporateActionsHandler) handleDelete(c echo.Context) error {
	id, err := idParam(c, "Corporate action")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := h.actions.Delete(ctx, currentUser(c).ID, meta(c), id)
	if err != nil {
		return err
	}
	job, err := h.jobs.EnqueueReadjust(ctx, res.Codes, res.Earliest)
	if err != nil {
		return err
	}
	f := components.Form{Values: map[string]string{"kind": "split"},
		Notice: fmt.Sprintf("Deleted; adjustment factors changed on %d daily bars of %s.", res.Bars, strings.Join(res.Codes, ", "))}
	page, partial := h.views(c, f, components.Form{Values: map[string]string{}}, "/admin/jobs/"+strconv.FormatInt(job, 10))
	return h.r.respond(c, http.StatusOK, corporateActionsTitle, "admin", page, partial)
}

// save stores actions and queues the recompute of the changed codes'
// features and signals, returning the notice and the job's page.
func (h *adminCorporateActionsHandler) save(c echo.Context, actions []corpaction.Action) (notice, jobURL string, err error) {
	ctx := c.Request().Context()
	res, err := h.actions.Save(ctx, currentUser(c).ID, meta(c), actions)
	if err != nil {
		return "", "", err
	}
	if res.Changed == 0 {
		return fmt.Sprintf("Nothing changed: the %d action(s) were already stored as given.", res.Lines), "", nil
	}
	notice = fmt.Sprintf("Saved %d of %d action(s) for %s; adjustment factors changed on %d daily bars.",
		res.Changed, res.Lines, strings.Join(res.Codes, ", "), res.Bars)
	id, err := h.jobs.EnqueueReadjust(ctx, res.Codes, res.Earliest)
	if err != nil {
		return "", "", err
	}
	return notice, "/admin/jobs/" + strconv.FormatInt(id, 10), nil
}

// view builds the panel around the two forms.
func (h *adminCorporateActionsHandler) view(c echo.Context, code string, form, imp components.Form) (components.CorporateActionsView, error) {
	actions, err := h.actions.List(c.Request().Context(), code)
	if err != nil {
		return components.CorporateActionsView{}, err
	}
	form.CSRF, imp.CSRF = h.s.csrfToken(c), h.s.csrfToken(c)
	v := components.CorporateActionsView{Form: form, Import: imp, Header: corpaction.CSVHeader, Code: code, CSRF: form.CSRF}
	for _, k := range corpaction.Kinds {
		v.Kinds = append(v.Kinds, string(k))
	}
	for _, a := range actions {
		row := components.CorporateActionRow{ID: a.ID, Code: a.Code, Kind: string(a.Kind), Ratio: a.Ratio, Factor: "—",
			Source: clipText(a.Source, 120), Note: clipText(a.Note, 160), Updated: display.DateTime(a.UpdatedAt)}
		if a.ExDate != nil {
			row.ExDate = a.ExDate.Format(time.DateOnly)
		}
		if a.Factor != nil {
			row.Factor = strconv.FormatFloat(*a.Factor, 'g', 8, 64)
		}
		v.Actions = append(v.Actions, row)
	}
	return v, nil
}

func (h *adminCorporateActionsHandler) views(c echo.Context, form, imp components.Form, job string) (build, build) {
	v := func() (components.CorporateActionsView, error) {
		v, err := h.view(c, "", form, imp)
		v.JobURL = job
		return v, err
	}
	page := func() (templ.Component, error) {
		v, err := v()
		return pages.AdminCorporateActions(v), err
	}
	partial := func() (templ.Component, error) {
		v, err := v()
		return components.CorporateActions(v), err
	}
	return page, partial
}

// clipText shortens long stored text for a table cell.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

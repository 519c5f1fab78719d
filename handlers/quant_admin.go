package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// ModelsAdminHandler lets admins train (as background jobs), upload and
// activate models.
type ModelsAdminHandler struct {
	quant *pipeline.Pipeline
	jobs  *jobs.Client
	s     *sessions
	r     *renderer
}

// maxModelUpload bounds a LightGBM text model (Qlib's are a few MB to tens
// of MB); the route's body limit (70M) leaves room for the form around it.
const maxModelUpload = 64 << 20

// modelUploadPath is the upload route, exempt from the global BODY_LIMIT.
const modelUploadPath = "/admin/models/upload"

func (h *ModelsAdminHandler) view(c echo.Context, train, upload components.Form, job *pages.JobView) (pages.ModelsAdminView, error) {
	csrf := h.s.csrfToken(c)
	train.CSRF, upload.CSRF = csrf, csrf
	if train.Values == nil {
		d := pipeline.DefaultSegments()
		train.Values = map[string]string{"kind": "xgboost", "train": d.Train.String(), "valid": d.Valid.String(), "test": d.Test.String(), "activate": "1"}
	}
	v := pages.ModelsAdminView{CSRF: csrf, Train: train, Upload: upload, Job: job}
	models, err := h.quant.ListModels(c.Request().Context())
	if err != nil {
		return v, err
	}
	for _, m := range models {
		v.Models = append(v.Models, summaryRow(m))
	}
	return v, nil
}

func (h *ModelsAdminHandler) handlePage(c echo.Context) error {
	v, err := h.view(c, components.Form{}, components.Form{}, nil)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Models and training", "admin", pages.ModelsAdmin(v))
}

// respondForm answers a failed train or upload form.
func (h *ModelsAdminHandler) respondForm(c echo.Context, err error, f components.Form, partial func(components.Form) templ.Component, train bool) error {
	ae, ok := userFixable(err)
	if !ok {
		return err
	}
	f = withError(f, ae)
	if isHTMX(c) {
		f.CSRF = h.s.csrfToken(c)
		return component(c, formStatus(ae), partial(f))
	}
	var v pages.ModelsAdminView
	if train {
		v, err = h.view(c, f, components.Form{}, nil)
	} else {
		v, err = h.view(c, components.Form{}, f, nil)
	}
	if err != nil {
		return err
	}
	return h.r.page(c, formStatus(ae), "Models and training", "admin", pages.ModelsAdmin(v))
}

func (h *ModelsAdminHandler) handleTrain(c echo.Context) error {
	vals := map[string]string{}
	for _, k := range []string{"kind", "name", "train", "valid", "test", "params", "activate"} {
		vals[k] = c.FormValue(k)
	}
	f := components.Form{Values: vals}
	segs, err := dataset.ParseSegments(vals["train"], vals["valid"], vals["test"])
	if err != nil {
		return h.respondForm(c, err, f, pages.TrainForm, true)
	}
	spec := pipeline.TrainSpec{Name: vals["name"], Kind: vals["kind"], Segments: segs, Activate: vals["activate"] != ""}
	if p := strings.TrimSpace(vals["params"]); p != "" {
		if !json.Valid([]byte(p)) {
			return h.respondForm(c, apperr.FieldError("params", "Parameters must be a JSON object."), f, pages.TrainForm, true)
		}
		spec.Params = json.RawMessage(p)
	}
	uid := currentUser(c).ID
	spec.AuthorID = &uid
	id, err := h.jobs.EnqueueTrain(c.Request().Context(), spec)
	if err != nil {
		return h.respondForm(c, err, f, pages.TrainForm, true)
	}
	return redirect(c, "/admin/jobs/"+strconv.FormatInt(id, 10))
}

// handleJob shows a job's progress: the partial that polls itself for htmx,
// the models page around it otherwise.
func (h *ModelsAdminHandler) handleJob(c echo.Context) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	st, err := h.jobs.Progress(c.Request().Context(), id)
	if err != nil {
		return err
	}
	j := jobView(st)
	if isHTMX(c) {
		return component(c, http.StatusOK, pages.JobProgress(j))
	}
	v, err := h.view(c, components.Form{}, components.Form{}, &j)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Models and training", "admin", pages.ModelsAdmin(v))
}

func jobView(st jobs.Status) pages.JobView {
	j := pages.JobView{ID: st.JobID, Kind: st.Kind, State: st.State, Stage: st.Stage, Message: st.Message,
		Step: st.Step, Total: st.Total, Done: st.Done, Failed: st.State == "discarded" || st.Stage == "failed"}
	if st.Total > 0 {
		j.Fraction = float64(st.Step) / float64(st.Total)
	}
	if st.State == "completed" {
		j.Fraction = 1
		var out struct {
			VersionID int64 `json:"model_version_id"`
		}
		if json.Unmarshal(st.Result, &out) == nil && out.VersionID > 0 {
			j.ResultURL = "/models/" + strconv.FormatInt(out.VersionID, 10)
		}
	}
	return j
}

func (h *ModelsAdminHandler) handleUpload(c echo.Context) error {
	vals := map[string]string{"name": c.FormValue("name"), "features": c.FormValue("features"), "test": c.FormValue("test")}
	f := components.Form{Values: vals}
	fh, err := c.FormFile("model")
	if err != nil {
		return h.respondForm(c, apperr.FieldError("model", "Choose the LightGBM model file."), f, pages.UploadForm, false)
	}
	if fh.Size > maxModelUpload {
		return h.respondForm(c, apperr.FieldError("model", "The model file is larger than 64 MB."), f, pages.UploadForm, false)
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	blob, err := io.ReadAll(io.LimitReader(file, maxModelUpload+1))
	if err != nil {
		return err
	}
	features := strings.FieldsFunc(vals["features"], func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
	if len(features) == 0 {
		return h.respondForm(c, apperr.FieldError("features", "List the model's feature names in order."), f, pages.UploadForm, false)
	}
	up := pipeline.Upload{Name: vals["name"], Blob: blob, Features: features, Activate: c.FormValue("activate") != ""}
	if t := strings.TrimSpace(vals["test"]); t != "" {
		if up.Test, err = dataset.ParseRange(t); err != nil {
			return h.respondForm(c, apperr.FieldError("test", "%s", apperr.MessageOf(err)), f, pages.UploadForm, false)
		}
	}
	uid := currentUser(c).ID
	up.AuthorID = &uid
	mv, err := h.quant.UploadLightGBM(c.Request().Context(), up)
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Field == "" && ae.Code == apperr.Invalid {
			err = &apperr.Error{Code: ae.Code, Field: "features", Message: ae.Message}
		}
		return h.respondForm(c, err, f, pages.UploadForm, false)
	}
	return redirect(c, "/models/"+strconv.FormatInt(mv.ID, 10))
}

func (h *ModelsAdminHandler) handleActivate(c echo.Context) error {
	id, err := idParam(c, "Model version")
	if err != nil {
		return err
	}
	if _, err := h.quant.Activate(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, "/models/"+strconv.FormatInt(id, 10))
}

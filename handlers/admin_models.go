package handlers

import (
	"encoding/json"
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

// adminModelsHandler lets admins train models (as background jobs, with
// their progress), upload and activate them.
type adminModelsHandler struct {
	quant *pipeline.Pipeline
	jobs  *jobs.Client
	s     *sessions
	r     *renderer
}

// maxModelUpload bounds a LightGBM text model (Qlib's are a few MB to tens
// of MB); the route's body limit (70M) leaves room for the form around it.
// The form is read as a stream (readStreamedForm): no temporary files.
const maxModelUpload = 64 << 20

// modelUploadPath is the upload route, exempt from the global BODY_LIMIT.
const modelUploadPath = "/admin/models/upload"

func (h *adminModelsHandler) view(c echo.Context, train, upload components.Form, job *pages.JobView) (pages.ModelsAdminView, error) {
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

func (h *adminModelsHandler) handlePage(c echo.Context) error {
	page, err := h.page(c, components.Form{}, components.Form{}, nil)()
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, modelsAdminTitle, "admin", page)
}

const modelsAdminTitle = "Models and training"

// trainFailed answers a train form that failed.
func (h *adminModelsHandler) trainFailed(c echo.Context, err error, f components.Form) error {
	return h.r.formFailed(c, err, f, modelsAdminTitle, "admin", func(f components.Form) (build, build) {
		f.CSRF = h.s.csrfToken(c)
		return h.page(c, f, components.Form{}, nil), ready(pages.TrainForm(f))
	})
}

// uploadFailed answers an upload form that failed.
func (h *adminModelsHandler) uploadFailed(c echo.Context, err error, f components.Form) error {
	return h.r.formFailed(c, err, f, modelsAdminTitle, "admin", func(f components.Form) (build, build) {
		f.CSRF = h.s.csrfToken(c)
		return h.page(c, components.Form{}, f, nil), ready(pages.UploadForm(f))
	})
}

// page builds the models admin page with its two forms and, when not nil,
// a job's progress.
func (h *adminModelsHandler) page(c echo.Context, train, upload components.Form, job *pages.JobView) build {
	return func() (templ.Component, error) {
		v, err := h.view(c, train, upload, job)
		return pages.ModelsAdmin(v), err
	}
}

func (h *adminModelsHandler) handleTrain(c echo.Context) error {
	vals := map[string]string{}
	for _, k := range []string{"kind", "name", "label", "train", "valid", "test", "params", "activate"} {
		vals[k] = c.FormValue(k)
	}
	f := components.Form{Values: vals}
	segs, err := dataset.ParseSegments(vals["train"], vals["valid"], vals["test"])
	if err != nil {
		return h.trainFailed(c, err, f)
	}
	spec := pipeline.TrainSpec{Name: vals["name"], Kind: vals["kind"], Label: vals["label"], Segments: segs, Activate: vals["activate"] != ""}
	if p := strings.TrimSpace(vals["params"]); p != "" {
		if !json.Valid([]byte(p)) {
			return h.trainFailed(c, apperr.FieldError("params", "Parameters must be a JSON object."), f)
		}
		spec.Params = json.RawMessage(p)
	}
	uid := currentUser(c).ID
	spec.AuthorID = &uid
	id, err := h.jobs.EnqueueTrain(c.Request().Context(), spec)
	if err != nil {
		return h.trainFailed(c, err, f)
	}
	return redirect(c, "/admin/jobs/"+strconv.FormatInt(id, 10))
}

// handleJob shows a job's progress: the partial that polls itself for htmx,
// the models page around it otherwise.
func (h *adminModelsHandler) handleJob(c echo.Context) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	st, err := h.jobs.Progress(c.Request().Context(), id)
	if err != nil {
		return err
	}
	j := jobView(st)
	return h.r.respond(c, http.StatusOK, modelsAdminTitle, "admin", h.page(c, components.Form{}, components.Form{}, &j), ready(pages.JobProgress(j)))
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

func (h *adminModelsHandler) handleUpload(c echo.Context) error {
	form, err := h.s.readStreamedForm(c, map[string]int64{"model": maxModelUpload})
	if form == nil {
		return err // refused before the form was read: CSRF, or not a form
	}
	vals := map[string]string{"name": form.values["name"], "features": form.values["features"], "test": form.values["test"]}
	f := components.Form{Values: vals}
	if err != nil {
		return h.uploadFailed(c, err, f)
	}
	blob := form.files["model"]
	if len(blob) == 0 {
		return h.uploadFailed(c, apperr.FieldError("model", "Choose the LightGBM model file."), f)
	}
	features := strings.FieldsFunc(vals["features"], func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
	if len(features) == 0 {
		return h.uploadFailed(c, apperr.FieldError("features", "List the model's feature names in order."), f)
	}
	up := pipeline.Upload{Name: vals["name"], Blob: blob, Features: features, Activate: form.values["activate"] != ""}
	if t := strings.TrimSpace(vals["test"]); t != "" {
		if up.Test, err = dataset.ParseRange(t); err != nil {
			return h.uploadFailed(c, apperr.FieldError("test", "%s", apperr.MessageOf(err)), f)
		}
	}
	uid := currentUser(c).ID
	up.AuthorID = &uid
	mv, err := h.quant.UploadLightGBM(c.Request().Context(), up)
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Field == "" && ae.Code == apperr.Invalid {
			err = &apperr.Error{Code: ae.Code, Field: "features", Message: ae.Message}
		}
		return h.uploadFailed(c, err, f)
	}
	return redirect(c, "/models/"+strconv.FormatInt(mv.ID, 10))
}

func (h *adminModelsHandler) handleActivate(c echo.Context) error {
	id, err := idParam(c, "Model version")
	if err != nil {
		return err
	}
	if _, err := h.quant.Activate(c.Request().Context(), id); err != nil {
		return err
	}
	return redirect(c, "/models/"+strconv.FormatInt(id, 10))
}

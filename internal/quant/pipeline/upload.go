package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/lgbm"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// Upload is a LightGBM text model trained elsewhere (Qlib's LGBModel saves
// one with model.booster.save_model) and the feature list it reads.
type Upload struct {
	// Name defaults to "lightgbm", the name the deployment plan's load
	// test asks for.
	Name string
	Blob []byte
	// Features are Alpha158 names in the order the model reads its columns.
	Features []string
	AuthorID *int64
	// Test is the window the model is measured on; zero means the default
	// test segment. Pick a window the model was not trained on.
	Test     dataset.DateRange
	Activate bool
}

// UploadLightGBM checks an uploaded LightGBM model against its feature list,
// measures it on the test window like a trained model, and stores it as the
// next version of its name. Features outside the Alpha158 set, or a list that
// does not match the model's own feature names, are Invalid errors that say
// what differs.
func (p *Pipeline) UploadLightGBM(ctx context.Context, u Upload) (ModelVersion, error) {
	u.Name = strings.ToLower(strings.TrimSpace(u.Name))
	if u.Name == "" {
		u.Name = model.KindLightGBM
	}
	if err := checkName(u.Name); err != nil {
		return ModelVersion{}, err
	}
	if u.Test.IsZero() {
		u.Test = DefaultSegments().Test
	}
	cols, err := p.columns(u.Features)
	if err != nil {
		return ModelVersion{}, err
	}
	m, err := lgbm.Load(u.Blob, u.Features)
	if err != nil {
		return ModelVersion{}, &apperr.Error{Code: apperr.CodeOf(err), Field: "model", Message: apperr.MessageOf(err), Err: err}
	}
	defer m.Close()
	if err := p.checkTestCoverage(ctx, u.Test); err != nil {
		return ModelVersion{}, err
	}
	testP, err := p.labelled(ctx, "test", u.Test, store.LabelPrice)
	if err != nil {
		return ModelVersion{}, err
	}
	test := testP.Matrix()
	pred, err := loaded{m: m, cols: cols}.predict(model.Matrix{Rows: test.Rows, Cols: test.Cols, Data: test.X})
	if err != nil {
		return ModelVersion{}, err
	}
	metrics, daily, err := evaluate(test.Dates, pred, test.Y)
	if err != nil {
		return ModelVersion{}, err
	}
	metrics.TestRows = test.Rows
	nv, err := describe(m, nil)
	if err != nil {
		return ModelVersion{}, err
	}
	nv.name, nv.authorID, nv.test = u.Name, u.AuthorID, u.Test
	nv.metrics, nv.daily = metrics, daily
	nv.params, err = json.Marshal(map[string]any{"source": "upload"})
	if err != nil {
		return ModelVersion{}, err
	}
	return p.save(ctx, nv, u.Activate)
}

// columns maps feature names to the store's columns; names the store does
// not compute are an Invalid error listing them.
func (p *Pipeline) columns(features []string) ([]int, error) {
	if err := model.CheckNames(features); err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "features", Message: apperr.MessageOf(err), Err: err}
	}
	stored := p.store.Features()
	col := make(map[string]int, len(stored))
	for i, f := range stored {
		col[f] = i
	}
	cols := make([]int, len(features))
	var unknown []string
	for j, f := range features {
		c, ok := col[f]
		if !ok {
			unknown = append(unknown, f)
		}
		cols[j] = c
	}
	if len(unknown) > 0 {
		shown := unknown[:min(len(unknown), 10)]
		more := ""
		if len(unknown) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(unknown)-len(shown))
		}
		return nil, apperr.FieldError("features", "not %s features: %s%s; models can read only the features the store computes",
			p.store.Name(), strings.Join(shown, ", "), more)
	}
	return cols, nil
}

// checkTestCoverage refuses a test window outside the stored features.
func (p *Pipeline) checkTestCoverage(ctx context.Context, test dataset.DateRange) error {
	if asx.Civil(test.End).Before(asx.Civil(test.Start)) {
		return apperr.FieldError("test", "test window %s ends before it starts", test)
	}
	first, last, ok, err := p.store.Span(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.FieldError("test", "no features are stored yet; refresh the feature store first")
	}
	if asx.Civil(test.End).Before(first) || asx.Civil(test.Start).After(last) {
		return apperr.FieldError("test", "test window %s is outside the data: features run %s to %s",
			test, first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	return nil
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/models"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// TrainSpec describes one training run.
type TrainSpec struct {
	// Name is the model name the version is stored under; it defaults to
	// the kind, so "ridge" and "xgboost" resolve to the latest activated.
	Name string `json:"name"`
	// Kind is "ridge" or "xgboost".
	Kind string `json:"kind"`
	// Params is a JSON object of the kind's parameters (ridge.Params,
	// xgb.Params); omitted fields keep their defaults.
	Params   json.RawMessage  `json:"params,omitempty"`
	Segments dataset.Segments `json:"segments"`
	// Label is the training target: "price" (the default, Qlib's LABEL0
	// Ref($close, -2)/Ref($close, -1) - 1) or "total_return" (the same with
	// the cash dividend going ex on the last day added; dividend data covers
	// few codes, see data/asx/README.md). The test metrics use the same label.
	Label string `json:"label,omitempty"`
	// Activate makes the new version the active one of its name.
	Activate bool   `json:"activate"`
	AuthorID *int64 `json:"author_id,omitempty"`
}

// check fills defaults and validates what needs no database.
func (s TrainSpec) check(features []string) (TrainSpec, error) {
	s.Kind = strings.ToLower(strings.TrimSpace(s.Kind))
	if !models.Trainable(s.Kind) {
		return s, apperr.FieldError("kind", "model kind %q cannot be trained here (want ridge or xgboost; LightGBM models are uploaded)", s.Kind)
	}
	s.Name = strings.ToLower(strings.TrimSpace(s.Name))
	if s.Name == "" {
		s.Name = s.Kind
	}
	if err := checkName(s.Name); err != nil {
		return s, err
	}
	if err := s.Segments.Validate(); err != nil {
		return s, err
	}
	label, err := store.CheckLabel(s.Label)
	if err != nil {
		return s, err
	}
	s.Label = label
	m, err := models.New(s.Kind, features, s.Params)
	if err != nil {
		return s, &apperr.Error{Code: apperr.Invalid, Field: "params", Message: apperr.MessageOf(err), Err: err}
	}
	m.Close()
	merged, err := effectiveParams(s.Kind, s.Params)
	if err != nil {
		return s, err
	}
	s.Params = merged
	return s, nil
}

// CheckTrainSpec validates spec as Train would before doing any work,
// including that each segment overlaps the stored features, so a request
// that cannot train is refused before a job is queued. It returns the spec
// with its defaults filled in.
func (p *Pipeline) CheckTrainSpec(ctx context.Context, spec TrainSpec) (TrainSpec, error) {
	spec, err := spec.check(p.store.Features())
	if err != nil {
		return spec, err
	}
	if err := checkNameKind(ctx, db.New(p.pool), spec.Name, spec.Kind); err != nil {
		return spec, err
	}
	return spec, p.checkCoverage(ctx, spec.Segments)
}

// checkCoverage refuses segments that lie outside the stored features.
func (p *Pipeline) checkCoverage(ctx context.Context, segs dataset.Segments) error {
	first, last, ok, err := p.store.Span(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.FieldError("train", "no features are stored yet; refresh the feature store first")
	}
	for _, s := range []struct {
		field string
		r     dataset.DateRange
	}{{"train", segs.Train}, {"valid", segs.Valid}, {"test", segs.Test}} {
		if asx.Civil(s.r.End).Before(first) || asx.Civil(s.r.Start).After(last) {
			return apperr.FieldError(s.field, "%s window %s is outside the data: features run %s to %s",
				s.field, s.r, first.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	}
	return nil
}

// Train fits a model on the stored features of the train window, chooses
// its penalty or stopping round on the valid window, measures it on the test
// window and stores it as the next version of its name (activating it when
// spec.Activate is set). It reads the features as stored: refresh the store
// first to include the latest bars. progress may be nil.
//
// A window outside the data is an Invalid error whose Field names the
// segment.
func (p *Pipeline) Train(ctx context.Context, spec TrainSpec, progress func(Progress)) (ModelVersion, error) {
	spec, err := p.CheckTrainSpec(ctx, spec)
	if err != nil {
		return ModelVersion{}, err
	}
	features := p.store.Features()
	segs := spec.Segments

	report(progress, "dataset", 1, 2, "loading the train window "+segs.Train.String())
	trainP, err := p.labelled(ctx, "train", segs.Train, spec.Label)
	if err != nil {
		return ModelVersion{}, err
	}
	var norm *dataset.FeatureNormaliser
	if spec.Kind == model.KindRidge {
		// Qlib's linear benchmark: RobustZScoreNorm fitted on the train
		// window, then Fillna(0).
		if norm, err = dataset.FitNormaliser(trainP); err != nil {
			return ModelVersion{}, err
		}
	}
	train, err := learnMatrix("train", trainP, norm)
	if err != nil {
		return ModelVersion{}, err
	}
	// The panel's copy of the train window (about 370 MB on the full data)
	// is garbage now; collecting it before the next window loads keeps the
	// peak near one copy instead of the two the GC's default pacing allows.
	debug.FreeOSMemory()
	report(progress, "dataset", 2, 2, "loading the valid window "+segs.Valid.String())
	validP, err := p.labelled(ctx, "valid", segs.Valid, spec.Label)
	if err != nil {
		return ModelVersion{}, err
	}
	valid, err := learnMatrix("valid", validP, norm)
	if err != nil {
		return ModelVersion{}, err
	}
	debug.FreeOSMemory()
	m, err := models.New(spec.Kind, features, spec.Params)
	if err != nil {
		return ModelVersion{}, err
	}
	defer m.Close()
	started := time.Now()
	err = onOneThread(func() error {
		return m.Fit(ctx, modelMatrix(train), modelMatrix(valid), func(mp model.Progress) {
			report(progress, "fit", mp.Step, mp.Total, fmt.Sprintf("%s %.6g", mp.Metric, mp.Value))
		})
	})
	if err != nil {
		return ModelVersion{}, err
	}
	fitSeconds := time.Since(started).Seconds()
	trainRows, validRows := train.Rows, valid.Rows

	// The test window is loaded only now, when the fitting data is garbage.
	debug.FreeOSMemory()
	report(progress, "evaluate", 1, 2, "loading the test window "+segs.Test.String())
	testP, err := p.labelled(ctx, "test", segs.Test, spec.Label)
	if err != nil {
		return ModelVersion{}, err
	}
	test := matrixOf(testP, norm) // the raw label, as SigAnaRecord measures
	report(progress, "evaluate", 2, 2, fmt.Sprintf("scoring %d test rows", test.Rows))
	pred, err := m.Predict(model.Matrix{Rows: test.Rows, Cols: test.Cols, Data: test.X})
	if err != nil {
		return ModelVersion{}, err
	}
	metrics, daily, err := evaluate(test.Dates, pred, test.Y)
	if err != nil {
		return ModelVersion{}, err
	}
	metrics.TrainRows, metrics.ValidRows, metrics.TestRows = trainRows, validRows, test.Rows
	metrics.FitSeconds, metrics.Label = fitSeconds, spec.Label

	report(progress, "save", 1, 1, "storing the model version")
	nv, err := describe(m, norm)
	if err != nil {
		return ModelVersion{}, err
	}
	nv.name, nv.params, nv.authorID = spec.Name, spec.Params, spec.AuthorID
	nv.train, nv.valid, nv.test = segs.Train, segs.Valid, segs.Test
	nv.metrics, nv.daily = metrics, daily
	return p.save(ctx, nv, spec.Activate)
}

// onOneThread runs fn on a goroutine locked to one OS thread. XGBoost keeps
// its random number generator per OS thread: a training run whose rounds hop
// between threads, as a goroutine's calls into C may, draws its row and
// column samples from different streams and gives a different model each
// time. On one thread the same data and seed give the same model.
func onOneThread(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- fn()
	}()
	return <-done
}

// labelled loads the stored features of a window with their label (see
// TrainSpec.Label) and keeps the rows whose label is known.
func (p *Pipeline) labelled(ctx context.Context, field string, r dataset.DateRange, label string) (*dataset.Panel, error) {
	panel, err := p.store.PanelLabelled(ctx, r.Start, r.End, label)
	if err != nil {
		return nil, err
	}
	panel = dataset.DropMissingLabel(panel)
	if panel.Len() == 0 {
		return nil, apperr.FieldError(field, "%s window %s holds no stored features with a realised label", field, r)
	}
	return panel, nil
}

// learnMatrix applies Qlib's learn-time label processing (CSZScoreNorm,
// then dropping days it leaves without a label) and exports the rows.
func learnMatrix(field string, p *dataset.Panel, norm *dataset.FeatureNormaliser) (dataset.Matrix, error) {
	p = dataset.DropMissingLabel(dataset.CSZScoreNormLabel(p))
	if p.Len() == 0 {
		return dataset.Matrix{}, apperr.FieldError(field, "the %s window has no day with two or more labelled instruments", field)
	}
	return matrixOf(p, norm), nil
}

// matrixOf exports p, normalising the features in place when norm is set.
func matrixOf(p *dataset.Panel, norm *dataset.FeatureNormaliser) dataset.Matrix {
	m := p.Matrix()
	if norm != nil {
		for i := range m.Rows {
			// The normaliser was fitted on this panel's feature list.
			_ = norm.Transform(m.X[i*m.Cols : (i+1)*m.Cols])
		}
	}
	return m
}

func modelMatrix(m dataset.Matrix) model.Matrix {
	return model.Matrix{Rows: m.Rows, Cols: m.Cols, Data: m.X, Label: m.Y}
}

// describe collects what is stored about a fitted model.
func describe(m model.Model, norm *dataset.FeatureNormaliser) (newVersion, error) {
	blob, err := m.Save()
	if err != nil {
		return newVersion{}, err
	}
	nv := newVersion{kind: m.Kind(), features: m.Features(), blob: blob, metadata: m.Metadata()}
	if fi, ok := m.(model.FeatureImportancer); ok {
		nv.importance = fi.FeatureImportance()
	}
	if norm != nil {
		if nv.preprocess, err = json.Marshal(norm); err != nil {
			return newVersion{}, err
		}
	}
	return nv, nil
}

// effectiveParams returns the kind's default parameters overlaid with the
// given ones, the full set a version was trained with.
func effectiveParams(kind string, given json.RawMessage) (json.RawMessage, error) {
	def, err := models.DefaultParams(kind)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	merged := map[string]any{}
	if err := json.Unmarshal(b, &merged); err != nil {
		return nil, err
	}
	if g := bytes.TrimSpace(given); len(g) > 0 && string(g) != "null" {
		if err := json.Unmarshal(g, &merged); err != nil {
			return nil, apperr.FieldError("params", "parameters are not a JSON object: %v", err)
		}
	}
	return json.Marshal(merged)
}

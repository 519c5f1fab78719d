// Package lgbm serves LightGBM models trained elsewhere — typically by Qlib's
// LGBModel, which saves model.booster.save_model text — through the pure-Go
// github.com/dmitryikh/leaves.
package lgbm

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/dmitryikh/leaves"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// parallelRows is the batch size above which Predict splits rows across
// goroutines; a trading day (a few hundred rows) runs on the caller's.
const parallelRows = 4096

// Model is a LightGBM ensemble. It is immutable after Load, so every method
// is safe for concurrent use.
type Model struct {
	blob     []byte
	features []string
	text     *textModel
	ens      *leaves.Ensemble
}

// Load reads a LightGBM text model and checks it against features, the
// feature list the admin supplied with it: the count must equal the model's,
// and when the model records real names (not LightGBM's Column_0, Column_1, …
// defaults) they must match the list exactly, in order.
func Load(blob []byte, features []string) (*Model, error) {
	if err := model.CheckNames(features); err != nil {
		return nil, err
	}
	text, err := parseText(blob)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "not a valid LightGBM text model: %v", err)
	}
	if text.numClass != 1 {
		return nil, apperr.New(apperr.Invalid, "the LightGBM model has %d classes; only single-output models (regression, binary) are supported", text.numClass)
	}
	if !text.autoNamed() {
		if err := model.CheckFeatures(text.names, features); err != nil {
			return nil, err
		}
	} else if text.nFeatures != len(features) {
		return nil, apperr.New(apperr.Invalid, "the LightGBM model reads %d features, the list has %d", text.nFeatures, len(features))
	}
	ens, err := readEnsemble(leavesText(blob, text.version))
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "not a valid LightGBM text model: %v", err)
	}
	if ens.NFeatures() != text.nFeatures || ens.NEstimators() != text.trees {
		return nil, apperr.New(apperr.Invalid, "not a valid LightGBM text model: read %d trees over %d features, the header says %d over %d",
			ens.NEstimators(), ens.NFeatures(), text.trees, text.nFeatures)
	}
	return &Model{blob: bytes.Clone(blob), features: slices.Clone(features), text: text, ens: ens}, nil
}

// readEnsemble runs leaves' parser, turning a panic into an error.
func readEnsemble(text []byte) (ens *leaves.Ensemble, err error) {
	defer func() {
		if r := recover(); r != nil {
			ens, err = nil, fmt.Errorf("parser failed: %v", r)
		}
	}()
	return leaves.LGEnsembleFromReader(bufio.NewReader(bytes.NewReader(text)), false)
}

// Kind returns model.KindLightGBM.
func (m *Model) Kind() string { return model.KindLightGBM }

// Features returns the feature names in column order.
func (m *Model) Features() []string { return slices.Clone(m.features) }

// Fit refuses: LightGBM models are trained in Python and uploaded.
func (m *Model) Fit(context.Context, model.Matrix, model.Matrix, func(model.Progress)) error {
	return apperr.New(apperr.Invalid, "LightGBM models are trained elsewhere; upload the text file saved by Qlib's LGBModel (model.booster.save_model) instead")
}

// Predict returns the raw score of each row: the sum of the trees (their
// mean for a random forest), without the sigmoid of a binary objective.
// NaN follows each split's missing-value rule as in LightGBM; ±Inf is
// treated as NaN.
func (m *Model) Predict(x model.Matrix) ([]float64, error) {
	if err := x.Check(m.text.nFeatures); err != nil {
		return nil, err
	}
	vals := withoutInf(x.Data)
	out := make([]float64, x.Rows)
	if x.Rows == 0 {
		return out, nil
	}
	workers := min(runtime.GOMAXPROCS(0), (x.Rows+parallelRows-1)/parallelRows)
	if workers <= 1 {
		return out, m.predictRows(vals, x.Cols, out)
	}
	per := (x.Rows + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, x.Rows)
		wg.Go(func() {
			errs[w] = m.predictRows(vals[lo*x.Cols:hi*x.Cols], x.Cols, out[lo:hi])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// predictRows scores rows on the calling goroutine.
func (m *Model) predictRows(vals []float64, cols int, out []float64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lightgbm predict: %v", r)
		}
	}()
	if err := m.ens.PredictDense(vals, len(out), cols, out, 0, 1); err != nil {
		return fmt.Errorf("lightgbm predict: %w", err)
	}
	return nil
}

// withoutInf returns data with ±Inf replaced by NaN, copying only if needed.
func withoutInf(data []float64) []float64 {
	for i, v := range data {
		if math.IsInf(v, 0) {
			out := slices.Clone(data)
			for j := i; j < len(out); j++ {
				if math.IsInf(out[j], 0) {
					out[j] = math.NaN()
				}
			}
			return out
		}
	}
	return data
}

// Save returns the model text exactly as loaded.
func (m *Model) Save() ([]byte, error) { return bytes.Clone(m.blob), nil }

// FeatureImportance returns the total gain of each feature's splits, read
// from the trees' split_gain.
func (m *Model) FeatureImportance() []model.Importance {
	out := make([]model.Importance, len(m.features))
	for j, name := range m.features {
		out[j] = model.Importance{Feature: name, Gain: m.text.gains[j]}
	}
	slices.SortStableFunc(out, func(a, b model.Importance) int { return cmp.Compare(b.Gain, a.Gain) })
	return out
}

// Metadata reports the objective, the number of trees, whether the file
// named its features and the feature importance.
func (m *Model) Metadata() map[string]any {
	return map[string]any{
		"kind":               model.KindLightGBM,
		"format_version":     m.text.version,
		"objective":          m.text.objective,
		"trees":              m.text.trees,
		"average_output":     m.text.average,
		"raw_score":          true,
		"named_features":     !m.text.autoNamed(),
		"feature_importance": m.FeatureImportance(),
	}
}

// Close does nothing: the ensemble is ordinary Go memory.
func (m *Model) Close() error { return nil }

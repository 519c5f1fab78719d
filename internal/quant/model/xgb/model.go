// Package xgb trains and serves XGBoost regression models through
// libxgboost's C API (Debian's libxgboost-dev 1.7). All cgo lives in
// capi.go; the rest of the package is ordinary Go.
package xgb

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// Booster attributes saved inside the model blob, so that a loaded model
// reports what it was trained with.
const (
	attrParams        = "qlibpro_params"
	attrBestIteration = "best_iteration"
	attrBestScore     = "best_score"
	attrBestMetric    = "best_metric"
)

// Model is an XGBoost booster. Predict may run concurrently; Fit, Save and
// Close take the model exclusively. Close frees the C memory; a cleanup frees
// it too if a Model is dropped without Close.
type Model struct {
	fitMu    sync.Mutex   // one Fit at a time
	mu       sync.RWMutex // read: Predict; write: swap, Save, Close
	b        *booster
	features []string
	params   Params
	// paramsKnown is false for a loaded model that was not trained here, whose
	// training parameters are unknown.
	paramsKnown bool
	info        trainInfo
}

// booster owns a BoosterHandle. Its mutex orders the final free in the
// cleanup after the last use.
type booster struct {
	mu sync.Mutex
	h  boosterHandle
}

func (b *booster) free() {
	b.mu.Lock()
	defer b.mu.Unlock()
	freeBooster(b.h)
	b.h = nil
}

func (b *booster) swap(h boosterHandle) {
	b.mu.Lock()
	defer b.mu.Unlock()
	freeBooster(b.h)
	b.h = h
}

// trainInfo is what training learnt beyond the trees.
type trainInfo struct {
	Trained       bool
	BestIteration int     // 0-based round with the best validation RMSE
	BestScore     float64 // that RMSE, or the final training RMSE without validation
	Metric        string  // "valid_rmse" or "train_rmse"
}

func newModel(features []string, p Params) *Model {
	m := &Model{b: &booster{}, features: slices.Clone(features), params: p, paramsKnown: true}
	runtime.AddCleanup(m, (*booster).free, m.b)
	return m
}

// New returns an untrained model over features.
func New(features []string, p Params) (*Model, error) {
	if err := model.CheckNames(features); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return newModel(features, p), nil
}

// Load restores a model saved by Save (UBJSON) or by XGBoost ≥ 1.0 as JSON,
// and checks it against features: the count always, the names when the model
// carries them.
func Load(blob []byte, features []string) (*Model, error) {
	if err := model.CheckNames(features); err != nil {
		return nil, err
	}
	// UBJSON and JSON models both start with '{'; refusing anything else keeps
	// XGBoost's legacy binary reader away from arbitrary bytes.
	if len(blob) == 0 || blob[0] != '{' {
		return nil, apperr.New(apperr.Invalid, "not an XGBoost model saved as UBJSON or JSON (save_model with a .ubj or .json name)")
	}
	if err := checkModelBytes(blob); err != nil {
		return nil, apperr.New(apperr.Invalid, "the XGBoost model is damaged or truncated: %v", err)
	}
	h, err := newBooster()
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Model, error) {
		freeBooster(h)
		return nil, err
	}
	if err := loadModel(h, blob); err != nil {
		return fail(apperr.New(apperr.Invalid, "not a valid XGBoost model: %v", err))
	}
	n, err := numFeatures(h)
	if err != nil {
		return fail(err)
	}
	names, err := featureNames(h)
	if err != nil {
		return fail(err)
	}
	if len(names) > 0 {
		if err := model.CheckFeatures(names, features); err != nil {
			return fail(err)
		}
	}
	if n != len(features) {
		return fail(apperr.New(apperr.Invalid, "the model reads %d features, the list has %d", n, len(features)))
	}

	p := DefaultParams()
	info := trainInfo{Trained: true}
	s, known, err := getAttr(h, attrParams)
	if err != nil {
		return fail(err)
	}
	if known {
		if err := json.Unmarshal([]byte(s), &p); err != nil {
			return fail(apperr.New(apperr.Invalid, "the model's saved parameters are unreadable: %v", err))
		}
	}
	if s, ok, err := getAttr(h, attrBestIteration); err == nil && ok {
		info.BestIteration, _ = strconv.Atoi(s)
	}
	if s, ok, err := getAttr(h, attrBestScore); err == nil && ok {
		info.BestScore, _ = strconv.ParseFloat(s, 64)
	}
	if s, ok, err := getAttr(h, attrBestMetric); err == nil && ok {
		info.Metric = s
	}
	// A first prediction configures the learner, so that concurrent Predict
	// calls start from a configured booster.
	if _, err := predictDense(h, missingRow(n), 1, n); err != nil {
		return fail(apperr.New(apperr.Invalid, "the XGBoost model cannot predict: %v", err))
	}
	m := newModel(features, p)
	m.b.h = h
	m.info = info
	m.paramsKnown = known
	return m, nil
}

// Kind returns model.KindXGBoost.
func (m *Model) Kind() string { return model.KindXGBoost }

// Features returns the feature names in column order.
func (m *Model) Features() []string { return slices.Clone(m.features) }

// Predict returns the model's score for each row of x. Values are rounded to
// float32 on the way in, as XGBoost computes in float32.
func (m *Model) Predict(x model.Matrix) ([]float64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.b.h == nil {
		return nil, m.unusable()
	}
	if err := x.Check(len(m.features)); err != nil {
		return nil, err
	}
	if x.Rows == 0 {
		return []float64{}, nil
	}
	got, err := predictDense(m.b.h, toFloat32(x.Data), x.Rows, x.Cols)
	if err != nil {
		return nil, fmt.Errorf("xgboost predict: %w", err)
	}
	if len(got) != x.Rows {
		return nil, fmt.Errorf("xgboost predict: %d values for %d rows", len(got), x.Rows)
	}
	out := make([]float64, len(got))
	for i, v := range got {
		out[i] = float64(v)
	}
	return out, nil
}

func (m *Model) unusable() error {
	if m.info.Trained {
		return apperr.New(apperr.Invalid, "the xgboost model has been closed")
	}
	return apperr.New(apperr.Invalid, "the xgboost model has not been trained")
}

// Save returns the booster as UBJSON, with the training parameters and the
// best iteration stored as booster attributes.
func (m *Model) Save() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.b.h == nil {
		return nil, m.unusable()
	}
	blob, err := saveModel(m.b.h, "ubj")
	if err != nil {
		return nil, fmt.Errorf("xgboost save: %w", err)
	}
	return blob, nil
}

// FeatureImportance returns the total gain of each feature's splits.
func (m *Model) FeatureImportance() []model.Importance {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.b.h == nil {
		return nil
	}
	scores, err := featureScore(m.b.h, "total_gain")
	if err != nil {
		return nil
	}
	out := make([]model.Importance, len(m.features))
	for j, name := range m.features {
		gain, ok := scores[name]
		if !ok {
			gain = scores["f"+strconv.Itoa(j)] // a model saved without names
		}
		out[j] = model.Importance{Feature: name, Gain: gain}
	}
	slices.SortStableFunc(out, func(a, b model.Importance) int { return cmp.Compare(b.Gain, a.Gain) })
	return out
}

// Metadata reports the parameters, the best iteration and its score, the
// number of rounds kept and the feature importance.
func (m *Model) Metadata() map[string]any {
	md := map[string]any{"kind": model.KindXGBoost}
	if m.paramsKnown {
		md["params"] = m.params
	}
	m.mu.RLock()
	trained := m.b.h != nil
	info := m.info
	var rounds int
	if trained {
		rounds, _ = boostedRounds(m.b.h)
	}
	m.mu.RUnlock()
	if !trained {
		return md
	}
	md["best_iteration"] = info.BestIteration
	md["rounds"] = rounds
	if info.Metric != "" {
		md[info.Metric] = info.BestScore
	}
	md["feature_importance"] = m.FeatureImportance()
	return md
}

// Close frees the booster. It is safe to call more than once.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b.free()
	return nil
}

// missingRow returns one row of n missing values.
func missingRow(n int) []float32 {
	row := make([]float32, n)
	for i := range row {
		row[i] = float32(math.NaN())
	}
	return row
}

// toFloat32 converts features for XGBoost, turning ±Inf into NaN (missing).
func toFloat32(data []float64) []float32 {
	out := make([]float32, len(data))
	for i, v := range data {
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		out[i] = float32(v)
	}
	return out
}

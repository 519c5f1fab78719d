// Package model defines what every forecasting model in Qlib Pro provides: the
// Model interface, the dense feature Matrix it reads, progress reports for
// background training jobs and feature importance.
//
// Implementations live in subpackages (ridge, xgb, lgbm); package models
// constructs and loads them by kind, so this package imports none of them.
package model

import (
	"context"
	"math"
)

// Model kinds, as stored next to a saved model blob.
const (
	KindRidge    = "ridge"
	KindXGBoost  = "xgboost"
	KindLightGBM = "lightgbm"
)

// Model is a trained (or trainable) cross-sectional return forecaster.
//
// Predict is safe for concurrent use. Fit, Save and Close must not run
// concurrently with each other, although implementations guard against it.
type Model interface {
	// Kind returns one of the Kind constants.
	Kind() string
	// Features returns the ordered feature names the model reads; the columns of
	// every Matrix passed to Fit and Predict must follow this order.
	Features() []string
	// Fit trains the model on train and, when valid has rows, uses valid for
	// model selection (the ridge penalty, early stopping). progress may be nil.
	// Models trained outside Qlib Pro return an apperr Invalid error.
	Fit(ctx context.Context, train, valid Matrix, progress func(Progress)) error
	// Predict returns one score per row of x.
	Predict(x Matrix) ([]float64, error)
	// Save returns a blob that the package's Load turns back into an identical
	// model; it is meant for a bytea column.
	Save() ([]byte, error)
	// Metadata describes the trained model (parameters, chosen penalty or best
	// iteration, feature importance) for display and for a jsonb column.
	Metadata() map[string]any
	// Close releases memory held outside the Go heap. The model must not be
	// used afterwards. Close is idempotent.
	Close() error
}

// Progress is one step of a training run, reported so that a background job
// can show how far it has got.
type Progress struct {
	Step   int     // 1-based step just finished (a boosting round, a penalty tried)
	Total  int     // the most steps the run can take
	Metric string  // what Value measures, e.g. "valid_rmse"
	Value  float64 // the metric after Step
}

// Importance is the contribution of one feature to a tree model.
type Importance struct {
	Feature string  `json:"feature"`
	Gain    float64 `json:"gain"` // total gain of the splits on the feature
}

// FeatureImportancer is implemented by models that can rank their features,
// which are the tree models. The result is sorted by Gain, largest first, and
// lists every feature of the model, unused ones with zero gain.
type FeatureImportancer interface {
	FeatureImportance() []Importance
}

// RMSE returns the root mean squared error of pred against label, or NaN when
// they are empty or of different lengths.
func RMSE(pred, label []float64) float64 {
	if len(pred) == 0 || len(pred) != len(label) {
		return math.NaN()
	}
	var sum float64
	for i, p := range pred {
		d := p - label[i]
		sum += d * d
	}
	return math.Sqrt(sum / float64(len(pred)))
}

// R2 returns the coefficient of determination of pred against label, or NaN
// when they are empty, of different lengths or label is constant.
func R2(pred, label []float64) float64 {
	if len(pred) == 0 || len(pred) != len(label) {
		return math.NaN()
	}
	var mean float64
	for _, y := range label {
		mean += y
	}
	mean /= float64(len(label))
	var ssRes, ssTot float64
	for i, y := range label {
		ssRes += (y - pred[i]) * (y - pred[i])
		ssTot += (y - mean) * (y - mean)
	}
	if ssTot == 0 {
		return math.NaN()
	}
	return 1 - ssRes/ssTot
}

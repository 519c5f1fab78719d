// Package ridge is a ridge regression model: features are filled and z-scored
// with training statistics, the intercept is not penalised, and the penalty is
// chosen on the validation set from a small grid.
package ridge

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sync"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// Params configures training.
type Params struct {
	// Lambdas are the candidate penalties. Each is per training row (the glmnet
	// convention): the system solved is (ZᵀZ/n + λI)w = Zᵀy/n on z-scored
	// features Z, so a value means the same for 2k and 200k rows. With a
	// validation set the one with the lowest validation RMSE is kept; without
	// one there must be a single candidate.
	Lambdas []float64 `json:"lambdas"`
}

// DefaultParams returns a grid from almost no shrinkage to heavy shrinkage.
func DefaultParams() Params {
	return Params{Lambdas: []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10}}
}

// Validate reports whether p can be trained with.
func (p Params) Validate() error {
	if len(p.Lambdas) == 0 {
		return apperr.FieldError("lambdas", "give at least one penalty")
	}
	for _, l := range p.Lambdas {
		if math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			return apperr.FieldError("lambdas", "penalty %v must be a finite number ≥ 0", l)
		}
	}
	return nil
}

// Candidate is one penalty tried during Fit and how it did on validation.
type Candidate struct {
	Lambda    float64 `json:"lambda"`
	ValidRMSE float64 `json:"valid_rmse,omitempty"` // zero when there was no validation set
	Singular  bool    `json:"singular,omitempty"`   // the system could not be solved
}

// state is everything Save writes; the JSON form is the blob.
type state struct {
	Version    int         `json:"version"`
	Features   []string    `json:"features"`
	Params     Params      `json:"params"`
	Means      []float64   `json:"means"`  // training column means, used to fill missing values
	Scales     []float64   `json:"scales"` // training column standard deviations (1 for constant columns)
	Coef       []float64   `json:"coef"`   // on z-scored features
	Intercept  float64     `json:"intercept"`
	Lambda     float64     `json:"lambda"`
	Candidates []Candidate `json:"candidates"`
	TrainRows  int         `json:"train_rows"`
}

const blobVersion = 1

// Model is a ridge regression. Predict is safe for concurrent use.
type Model struct {
	fitMu sync.Mutex   // one Fit at a time
	mu    sync.RWMutex // read: Predict, Save, Metadata; write: the end of Fit
	st    state
	// w and offset fold the z-scoring into the coefficients:
	// prediction = offset + Σ w_j x_j, with missing x_j contributing w_j·mean_j.
	w      []float64
	offset float64
}

// New returns an untrained model over features.
func New(features []string, p Params) (*Model, error) {
	if err := model.CheckNames(features); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Model{st: state{Version: blobVersion, Features: slices.Clone(features), Params: p}}, nil
}

// Load restores a model saved by Save and checks that it reads features.
func Load(blob []byte, features []string) (*Model, error) {
	var st state
	dec := json.NewDecoder(bytes.NewReader(blob))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "not a saved ridge model")
	}
	if st.Version != blobVersion {
		return nil, apperr.New(apperr.Invalid, "ridge model format %d is not supported (want %d)", st.Version, blobVersion)
	}
	p := len(st.Features)
	if p == 0 || len(st.Means) != p || len(st.Scales) != p || len(st.Coef) != p {
		return nil, apperr.New(apperr.Invalid, "saved ridge model is inconsistent: %d features, %d means, %d scales, %d coefficients",
			p, len(st.Means), len(st.Scales), len(st.Coef))
	}
	if err := model.CheckFeatures(st.Features, features); err != nil {
		return nil, err
	}
	m := &Model{st: st}
	m.fold()
	return m, nil
}

// fold precomputes w and offset from the coefficients and statistics.
func (m *Model) fold() {
	p := len(m.st.Coef)
	m.w = make([]float64, p)
	m.offset = m.st.Intercept
	for j := range p {
		m.w[j] = m.st.Coef[j] / m.st.Scales[j]
		m.offset -= m.w[j] * m.st.Means[j]
	}
}

// Kind returns model.KindRidge.
func (m *Model) Kind() string { return model.KindRidge }

// Features returns the feature names in column order.
func (m *Model) Features() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.st.Features)
}

// Predict returns intercept + Σ coef_j·z_j for each row, where z_j is the
// value z-scored with training statistics and a missing value scores zero.
func (m *Model) Predict(x model.Matrix) ([]float64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.w == nil {
		return nil, apperr.New(apperr.Invalid, "the ridge model has not been trained")
	}
	if err := x.Check(len(m.w)); err != nil {
		return nil, err
	}
	out := make([]float64, x.Rows)
	for i := range x.Rows {
		s := m.offset
		for j, v := range x.Row(i) {
			if model.IsMissing(v) {
				v = m.st.Means[j]
			}
			s += m.w[j] * v
		}
		out[i] = s
	}
	return out, nil
}

// Save returns the model as JSON.
func (m *Model) Save() ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.w == nil {
		return nil, apperr.New(apperr.Invalid, "the ridge model has not been trained")
	}
	return json.Marshal(m.st)
}

// Metadata reports the penalty grid, the chosen penalty and the coefficients
// on z-scored features (comparable across features).
func (m *Model) Metadata() map[string]any {
	m.mu.RLock()
	defer m.mu.RUnlock()
	md := map[string]any{
		"kind":    model.KindRidge,
		"params":  m.st.Params,
		"lambdas": m.st.Params.Lambdas,
	}
	if m.w == nil {
		return md
	}
	coef := make(map[string]float64, len(m.st.Coef))
	for j, c := range m.st.Coef {
		coef[m.st.Features[j]] = c
	}
	md["lambda"] = m.st.Lambda
	md["candidates"] = m.st.Candidates
	md["intercept"] = m.st.Intercept
	md["coefficients"] = coef
	md["train_rows"] = m.st.TrainRows
	return md
}

// Close does nothing: a ridge model holds only Go memory.
func (m *Model) Close() error { return nil }

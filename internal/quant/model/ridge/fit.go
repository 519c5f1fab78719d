package ridge

import (
	"context"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// blockRows is how many rows are z-scored at a time while accumulating ZᵀZ,
// which bounds the extra memory to blockRows × features values.
const blockRows = 4096

// maxCond is the largest condition number of the penalised system accepted
// before a penalty is reported as singular.
const maxCond = 1e13

// Fit learns the coefficients on train and keeps the penalty with the lowest
// RMSE on valid. progress, if not nil, is called after each penalty.
func (m *Model) Fit(ctx context.Context, train, valid model.Matrix, progress func(model.Progress)) error {
	m.fitMu.Lock()
	defer m.fitMu.Unlock()
	m.mu.RLock()
	st := m.st
	m.mu.RUnlock()
	p := len(st.Features)
	if err := train.CheckTraining(p, "training", true); err != nil {
		return err
	}
	if err := valid.CheckTraining(p, "validation", false); err != nil {
		return err
	}
	lambdas := st.Params.Lambdas
	if valid.Rows == 0 && len(lambdas) > 1 {
		return apperr.New(apperr.Invalid, "choosing among %d ridge penalties needs validation data; give validation rows or a single penalty", len(lambdas))
	}

	means, scales := columnStats(train)
	gram, xty, ybar, err := normalEquations(ctx, train, means, scales)
	if err != nil {
		return err
	}

	st.Means, st.Scales, st.Intercept, st.TrainRows = means, scales, ybar, train.Rows
	st.Candidates = make([]Candidate, len(lambdas))
	best := -1
	bestRMSE := math.Inf(1)
	for k, lambda := range lambdas {
		if err := ctx.Err(); err != nil {
			return err
		}
		st.Candidates[k].Lambda = lambda
		coef, ok := solve(gram, xty, lambda)
		if !ok {
			st.Candidates[k].Singular = true
			continue
		}
		if valid.Rows == 0 {
			best, st.Coef, st.Lambda = k, coef, lambda
			if progress != nil {
				progress(model.Progress{Step: k + 1, Total: len(lambdas)})
			}
			continue
		}
		rmse := model.RMSE(predictRaw(valid, coef, means, scales, ybar), valid.Label)
		if math.IsNaN(rmse) || math.IsInf(rmse, 0) {
			st.Candidates[k].Singular = true
			continue
		}
		st.Candidates[k].ValidRMSE = rmse
		if best < 0 || rmse <= bestRMSE {
			best, bestRMSE, st.Coef, st.Lambda = k, rmse, coef, lambda
		}
		if progress != nil {
			progress(model.Progress{Step: k + 1, Total: len(lambdas), Metric: "valid_rmse", Value: rmse})
		}
	}
	if best < 0 {
		return apperr.New(apperr.Invalid, "the ridge system is singular for every penalty; some features are collinear, so use a penalty above zero")
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.st = st
	m.fold()
	return nil
}

// columnStats returns the mean and standard deviation of each column over its
// non-missing values. An empty column gets mean 0; a constant or empty one
// gets scale 1, so its z-score is always 0.
func columnStats(x model.Matrix) (means, scales []float64) {
	p := x.Cols
	means = make([]float64, p)
	scales = make([]float64, p)
	counts := make([]float64, p)
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			if !model.IsMissing(v) {
				means[j] += v
				counts[j]++
			}
		}
	}
	for j := range means {
		if counts[j] > 0 {
			means[j] /= counts[j]
		}
	}
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			if !model.IsMissing(v) {
				d := v - means[j]
				scales[j] += d * d
			}
		}
	}
	for j := range scales {
		sd := 0.0
		if counts[j] > 0 {
			sd = math.Sqrt(scales[j] / counts[j])
		}
		if sd <= 1e-12*math.Max(1, math.Abs(means[j])) {
			sd = 1
		}
		scales[j] = sd
	}
	return means, scales
}

// normalEquations returns ZᵀZ/n and Zᵀ(y−ȳ)/n for the z-scored training
// features Z (missing values scored 0), and ȳ. Because Z has zero column
// means, ȳ is the unpenalised intercept.
func normalEquations(ctx context.Context, x model.Matrix, means, scales []float64) (*mat.SymDense, *mat.VecDense, float64, error) {
	p, n := x.Cols, x.Rows
	var ybar float64
	for _, y := range x.Label {
		ybar += y
	}
	ybar /= float64(n)

	g := blas64.General{Rows: p, Cols: p, Stride: p, Data: make([]float64, p*p)}
	b := blas64.Vector{N: p, Inc: 1, Data: make([]float64, p)}
	rows := min(blockRows, n)
	zbuf := make([]float64, rows*p)
	ybuf := make([]float64, rows)
	for start := 0; start < n; start += blockRows {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		end := min(start+blockRows, n)
		k := end - start
		for i := range k {
			zrow := zbuf[i*p : (i+1)*p]
			for j, v := range x.Row(start + i) {
				if model.IsMissing(v) {
					zrow[j] = 0
				} else {
					zrow[j] = (v - means[j]) / scales[j]
				}
			}
			ybuf[i] = x.Label[start+i] - ybar
		}
		z := blas64.General{Rows: k, Cols: p, Stride: p, Data: zbuf[:k*p]}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, z, z, 1, g)
		blas64.Gemv(blas.Trans, 1, z, blas64.Vector{N: k, Inc: 1, Data: ybuf[:k]}, 1, b)
	}
	inv := 1 / float64(n)
	for i := range g.Data {
		g.Data[i] *= inv
	}
	for i := range b.Data {
		b.Data[i] *= inv
	}
	return mat.NewSymDense(p, g.Data), mat.NewVecDense(p, b.Data), ybar, nil
}

// solve returns w with (G + λI)w = b, or false when the system is singular or
// too badly conditioned to trust.
func solve(g *mat.SymDense, b *mat.VecDense, lambda float64) ([]float64, bool) {
	p := g.SymmetricDim()
	a := mat.NewSymDense(p, nil)
	a.CopySym(g)
	for i := range p {
		a.SetSym(i, i, a.At(i, i)+lambda)
	}
	var chol mat.Cholesky
	if !chol.Factorize(a) || chol.Cond() > maxCond {
		return nil, false
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, b); err != nil {
		return nil, false
	}
	return mat.Col(nil, 0, &w), true
}

// predictRaw scores x with coefficients on z-scored features.
func predictRaw(x model.Matrix, coef, means, scales []float64, intercept float64) []float64 {
	out := make([]float64, x.Rows)
	for i := range x.Rows {
		s := intercept
		for j, v := range x.Row(i) {
			if !model.IsMissing(v) {
				s += coef[j] * (v - means[j]) / scales[j]
			}
		}
		out[i] = s
	}
	return out
}

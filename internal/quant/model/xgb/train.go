package xgb

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// Fit boosts up to NumRounds trees on train. With validation rows it
// evaluates RMSE on valid after every round, stops after EarlyStoppingRounds
// rounds without improvement and keeps only the rounds up to the best one.
// progress, if not nil, is called after every round. Cancelling ctx stops
// between rounds and leaves the model as it was.
func (m *Model) Fit(ctx context.Context, train, valid model.Matrix, progress func(model.Progress)) error {
	m.fitMu.Lock()
	defer m.fitMu.Unlock()
	if err := train.CheckTraining(len(m.features), "training", true); err != nil {
		return err
	}
	if err := valid.CheckTraining(len(m.features), "validation", false); err != nil {
		return err
	}
	h, info, err := m.boost(ctx, train, valid, progress)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b.swap(h)
	m.info = info
	return nil
}

// boost runs the training loop and returns a fresh booster holding the kept
// rounds, with names and attributes set.
func (m *Model) boost(ctx context.Context, train, valid model.Matrix, progress func(model.Progress)) (boosterHandle, trainInfo, error) {
	p := m.params
	dtrain, err := matrix(train, p.NThread)
	if err != nil {
		return nil, trainInfo{}, err
	}
	defer freeDMatrix(dtrain)
	dmats, names := []dmatrixHandle{dtrain}, []string{"train"}
	if valid.Rows > 0 {
		dvalid, err := matrix(valid, p.NThread)
		if err != nil {
			return nil, trainInfo{}, err
		}
		defer freeDMatrix(dvalid)
		dmats, names = append(dmats, dvalid), append(names, "valid")
	}

	h, err := newBooster(dmats...)
	if err != nil {
		return nil, trainInfo{}, fmt.Errorf("xgboost create booster: %w", err)
	}
	defer freeBooster(h)
	for _, kv := range p.booster() {
		if err := setParam(h, kv[0], kv[1]); err != nil {
			return nil, trainInfo{}, rejected(err)
		}
	}

	metric := names[len(names)-1] + "-rmse"
	info := trainInfo{Trained: true, Metric: strings.Replace(metric, "-", "_", 1), BestScore: math.Inf(1)}
	for iter := range p.NumRounds {
		if err := ctx.Err(); err != nil {
			return nil, trainInfo{}, err
		}
		if err := updateOneIter(h, iter, dtrain); err != nil {
			if iter == 0 {
				// XGBoost checks most parameters only when the first tree is built.
				return nil, trainInfo{}, rejected(err)
			}
			return nil, trainInfo{}, fmt.Errorf("xgboost round %d: %w", iter, err)
		}
		line, err := evalOneIter(h, iter, dmats, names)
		if err != nil {
			return nil, trainInfo{}, fmt.Errorf("xgboost evaluate round %d: %w", iter, err)
		}
		score, err := parseEval(line, metric)
		if err != nil {
			return nil, trainInfo{}, err
		}
		if score < info.BestScore || valid.Rows == 0 {
			info.BestScore, info.BestIteration = score, iter
		}
		if progress != nil {
			progress(model.Progress{Step: iter + 1, Total: p.NumRounds, Metric: info.Metric, Value: score})
		}
		if valid.Rows > 0 && p.EarlyStoppingRounds > 0 && iter-info.BestIteration >= p.EarlyStoppingRounds {
			break
		}
	}

	// Keep rounds up to the best one. Slicing also gives a booster without the
	// training matrices' prediction caches.
	kept, err := slice(h, 0, info.BestIteration+1)
	if err != nil {
		return nil, trainInfo{}, fmt.Errorf("xgboost slice to %d rounds: %w", info.BestIteration+1, err)
	}
	if err := m.annotate(kept, info); err != nil {
		freeBooster(kept)
		return nil, trainInfo{}, err
	}
	return kept, info, nil
}

// annotate stores feature names and training results in the booster so that
// they travel with the saved blob, then makes a first prediction so that the
// booster is configured before concurrent use.
func (m *Model) annotate(h boosterHandle, info trainInfo) error {
	params, err := json.Marshal(m.params)
	if err != nil {
		return err
	}
	if err := setFeatureNames(h, m.features); err != nil {
		return fmt.Errorf("xgboost set feature names: %w", err)
	}
	attrs := [][2]string{
		{attrParams, string(params)},
		{attrBestIteration, strconv.Itoa(info.BestIteration)},
		{attrBestScore, strconv.FormatFloat(info.BestScore, 'g', -1, 64)},
		{attrBestMetric, info.Metric},
	}
	for _, kv := range attrs {
		if err := setAttr(h, kv[0], kv[1]); err != nil {
			return fmt.Errorf("xgboost set attribute %s: %w", kv[0], err)
		}
	}
	if _, err := predictDense(h, missingRow(len(m.features)), 1, len(m.features)); err != nil {
		return fmt.Errorf("xgboost first prediction: %w", err)
	}
	return nil
}

// matrix copies x into a labelled DMatrix.
func matrix(x model.Matrix, nthread int) (dmatrixHandle, error) {
	d, err := newDMatrix(toFloat32(x.Data), x.Rows, x.Cols, nthread)
	if err != nil {
		return nil, fmt.Errorf("xgboost create matrix: %w", err)
	}
	label := make([]float32, len(x.Label))
	for i, y := range x.Label {
		label[i] = float32(y)
	}
	if err := setLabel(d, label); err != nil {
		freeDMatrix(d)
		return nil, fmt.Errorf("xgboost set labels: %w", err)
	}
	return d, nil
}

// rejected reports a parameter XGBoost refused, in XGBoost's words.
func rejected(err error) error {
	return apperr.New(apperr.Invalid, "XGBoost rejected the parameters: %v", err)
}

// parseEval finds metric ("valid-rmse") in an evaluation line such as
// "[3]\ttrain-rmse:0.51\tvalid-rmse:0.55".
func parseEval(line, metric string) (float64, error) {
	for _, field := range strings.Fields(line) {
		name, value, ok := strings.Cut(field, ":")
		if !ok || name != metric {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, fmt.Errorf("xgboost evaluation %q: %w", line, err)
		}
		return v, nil
	}
	return 0, fmt.Errorf("xgboost evaluation %q has no %s", line, metric)
}

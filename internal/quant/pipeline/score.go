package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/analysis"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/models"
)

// AccuracyWindow is the number of most recent days with realised labels
// over which ml_model_accuracy averages a model's daily Rank IC.
const AccuracyWindow = 20

// ScoreResult reports one day's scoring.
type ScoreResult struct {
	Date time.Time `json:"date"`
	// Instruments is how many instruments had features that day.
	Instruments int          `json:"instruments"`
	Models      []ModelScore `json:"models"`
}

// ModelScore is what one active model version did on a day.
type ModelScore struct {
	Name      string `json:"name"`
	VersionID int64  `json:"version_id"`
	Version   int    `json:"version"`
	Scored    int    `json:"scored"`
	// RollingRankIC is the model's mean daily Rank IC over its last
	// AccuracyWindow scored days whose labels are known (NaN before any),
	// the value of ml_model_accuracy.
	RollingRankIC float64 `json:"rolling_rank_ic"`
	// Top is the best-ranked instrument.
	Top string `json:"top"`
}

// MarshalJSON writes an unknown rolling Rank IC as null.
func (m ModelScore) MarshalJSON() ([]byte, error) {
	type plain ModelScore
	return json.Marshal(struct {
		plain
		RollingRankIC *float64 `json:"rolling_rank_ic"`
	}{plain(m), num(m.RollingRankIC)})
}

// loaded is an active model version ready to score.
type loaded struct {
	id      int64
	name    string
	version int
	m       model.Model
	cols    []int // store column of each model feature
	norm    *dataset.FeatureNormaliser
}

// Score scores every instrument with features on date with every active
// model version and stores score, rank and percentile, replacing what those
// versions stored for that date before. A zero date means the latest day
// with features. It counts trading_signals_total and updates
// ml_model_accuracy per model name.
func (p *Pipeline) Score(ctx context.Context, date time.Time) (ScoreResult, error) {
	if date.IsZero() {
		_, last, ok, err := p.store.Span(ctx)
		if err != nil {
			return ScoreResult{}, err
		}
		if !ok {
			return ScoreResult{}, apperr.New(apperr.NotFound, "no features are stored yet; refresh the feature store first")
		}
		date = last
	}
	res, err := p.ScoreDays(ctx, []time.Time{date})
	if err != nil {
		return ScoreResult{}, err
	}
	return res[0], nil
}

// ScoreDays is Score for several days, loading the models once.
func (p *Pipeline) ScoreDays(ctx context.Context, dates []time.Time) ([]ScoreResult, error) {
	active, err := p.loadActive(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, l := range active {
			l.m.Close()
		}
	}()
	out := make([]ScoreResult, 0, len(dates))
	for _, d := range dates {
		r, err := p.scoreDay(ctx, asx.Civil(d), active)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	if len(out) > 0 {
		last := out[len(out)-1]
		for i, ms := range last.Models {
			last.Models[i].RollingRankIC = p.updateAccuracy(ctx, ms.VersionID, ms.Name, last.Date)
		}
	}
	return out, nil
}

// loadActive loads every active version's model.
func (p *Pipeline) loadActive(ctx context.Context) ([]loaded, error) {
	rows, err := db.New(p.pool).ListActiveModelBlobs(ctx)
	if err != nil {
		return nil, err
	}
	col := p.featureColumns()
	var out []loaded
	for _, r := range rows {
		l, err := p.loadModel(modelBlob(r), col)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// scoreDay scores one day with every loaded model.
func (p *Pipeline) scoreDay(ctx context.Context, date time.Time, active []loaded) (ScoreResult, error) {
	codes, x, err := p.store.Day(ctx, date)
	if err != nil {
		return ScoreResult{}, err
	}
	res := ScoreResult{Date: date, Instruments: len(codes), Models: []ModelScore{}}
	if len(codes) == 0 {
		return res, apperr.New(apperr.NotFound, "no features are stored for %s", date.Format(time.DateOnly))
	}
	for _, l := range active {
		scores, err := l.predict(x)
		if err != nil {
			return res, fmt.Errorf("score %s v%d: %w", l.name, l.version, err)
		}
		rows := rankSignals(l.id, date, codes, scores)
		err = db.WithTx(ctx, p.pool, func(q *db.Queries, _ pgx.Tx) error {
			if _, err := q.DeleteSignals(ctx, db.DeleteSignalsParams{ModelVersionID: l.id, Date: date}); err != nil {
				return err
			}
			_, err := q.CopySignals(ctx, rows)
			return err
		})
		if err != nil {
			return res, err
		}
		if p.metrics != nil {
			p.metrics.SignalsTotal.WithLabelValues(l.name).Add(float64(len(rows)))
		}
		ms := ModelScore{Name: l.name, VersionID: l.id, Version: l.version, Scored: len(rows), RollingRankIC: math.NaN()}
		if len(rows) > 0 {
			ms.Top = rows[0].Code
		}
		res.Models = append(res.Models, ms)
	}
	return res, nil
}

// predict selects the model's columns, preprocesses them and scores.
func (l loaded) predict(x model.Matrix) ([]float64, error) {
	nf := len(l.cols)
	in := model.Matrix{Rows: x.Rows, Cols: nf, Data: make([]float64, x.Rows*nf)}
	for i := range x.Rows {
		src, dst := x.Row(i), in.Row(i)
		for j, c := range l.cols {
			dst[j] = src[c]
		}
		if l.norm != nil {
			if err := l.norm.Transform(dst); err != nil {
				return nil, err
			}
		}
	}
	return l.m.Predict(in)
}

// rankSignals orders the scored instruments best first: rank 1 is the
// highest score, ties go to the lower code, and percentile is
// (n - rank + 1) / n. Missing scores are left out.
func rankSignals(versionID int64, date time.Time, codes []string, scores []float64) []db.CopySignalsParams {
	idx := make([]int, 0, len(codes))
	for i, s := range scores {
		if !math.IsNaN(s) && !math.IsInf(s, 0) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return cmp.Compare(codes[a], codes[b])
	})
	n := len(idx)
	rows := make([]db.CopySignalsParams, n)
	for r, i := range idx {
		rows[r] = db.CopySignalsParams{
			ModelVersionID: versionID, Date: date, Code: codes[i], Score: scores[i],
			Rank: int32(r + 1), Percentile: float64(n-r) / float64(n),
		}
	}
	return rows
}

// updateAccuracy computes a version's rolling Rank IC as of date and sets
// ml_model_accuracy for its name. Failures are logged: the gauge is a
// health signal, not part of scoring.
func (p *Pipeline) updateAccuracy(ctx context.Context, versionID int64, name string, date time.Time) float64 {
	v, err := p.RollingRankIC(ctx, versionID, date)
	if err != nil {
		p.log.Warn("rolling rank IC", "model", name, "error", err)
		return math.NaN()
	}
	if p.metrics != nil && !math.IsNaN(v) {
		p.metrics.ModelAccuracy.WithLabelValues(name).Set(v)
	}
	return v
}

// RollingRankIC is the mean daily Rank IC of a version's stored scores
// against the realised LABEL0 over the last AccuracyWindow signal days on or
// before date whose labels are known; NaN when there are none.
func (p *Pipeline) RollingRankIC(ctx context.Context, versionID int64, date time.Time) (float64, error) {
	q := db.New(p.pool)
	// The label of the last two days is not known yet, so look a little
	// further back than the window.
	dates, err := q.ListSignalDates(ctx, db.ListSignalDatesParams{
		ModelVersionID: versionID, OnOrBefore: asx.Civil(date), N: AccuracyWindow + 5,
	})
	if err != nil || len(dates) == 0 {
		return math.NaN(), err
	}
	from := dates[len(dates)-1]
	rows, err := q.ListSignalScores(ctx, db.ListSignalScoresParams{ModelVersionID: versionID, FromDate: from, ToDate: asx.Civil(date)})
	if err != nil {
		return math.NaN(), err
	}
	var codes []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Code] {
			seen[r.Code] = true
			codes = append(codes, r.Code)
		}
	}
	labels, err := p.store.Labels(ctx, codes, from)
	if err != nil {
		return math.NaN(), err
	}
	ds := make([]time.Time, len(rows))
	score, label := make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		ds[i], score[i], label[i] = r.Date, r.Score, labels.At(r.Code, r.Date)
	}
	return analysis.RollingRankIC(analysis.DailyIC(ds, score, label), AccuracyWindow), nil
}

// RefreshAccuracy sets ml_model_accuracy for every active model from its
// stored signals, for a process that starts with signals already scored.
func (p *Pipeline) RefreshAccuracy(ctx context.Context) error {
	rows, err := db.New(p.pool).ListActiveVersions(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		p.updateAccuracy(ctx, r.ID, r.Name, time.Now())
	}
	return nil
}

// modelBlob is a stored model version as scoring loads it (the fields of
// the sqlc rows GetModelBlobRow and ListActiveModelBlobsRow, which convert to
// it).
type modelBlob struct {
	ID         int64
	Name       string
	Version    int32
	Kind       string
	Features   []string
	Preprocess []byte
	Blob       []byte
}

// featureColumns maps each stored feature to its column.
func (p *Pipeline) featureColumns() map[string]int {
	stored := p.store.Features()
	col := make(map[string]int, len(stored))
	for i, f := range stored {
		col[f] = i
	}
	return col
}

// loadModel makes a stored version ready to score: the stored columns of
// the features it reads, its normaliser and the model itself.
func (p *Pipeline) loadModel(r modelBlob, col map[string]int) (loaded, error) {
	l := loaded{id: r.ID, name: r.Name, version: int(r.Version), cols: make([]int, len(r.Features))}
	for j, f := range r.Features {
		c, ok := col[f]
		if !ok {
			return loaded{}, fmt.Errorf("model %s v%d reads feature %s, which the %s store does not hold", r.Name, r.Version, f, p.store.Name())
		}
		l.cols[j] = c
	}
	if len(r.Preprocess) > 0 {
		l.norm = &dataset.FeatureNormaliser{}
		if err := json.Unmarshal(r.Preprocess, l.norm); err != nil {
			return loaded{}, fmt.Errorf("model %s v%d preprocessing: %w", r.Name, r.Version, err)
		}
	}
	var err error
	if l.m, err = models.Load(r.Kind, r.Blob, r.Features); err != nil {
		return loaded{}, fmt.Errorf("load model %s v%d: %w", r.Name, r.Version, err)
	}
	return l, nil
}

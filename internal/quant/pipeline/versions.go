package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// ModelVersion is one trained or uploaded model, without its blob.
type ModelVersion struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Version    int             `json:"version"`
	Kind       string          `json:"kind"`
	FeatureSet string          `json:"feature_set"`
	Features   []string        `json:"features"`
	Params     json.RawMessage `json:"params"`
	// Train and Valid are zero for uploaded models, whose training happened
	// elsewhere.
	Train      dataset.DateRange  `json:"train"`
	Valid      dataset.DateRange  `json:"valid"`
	Test       dataset.DateRange  `json:"test"`
	Metrics    Metrics            `json:"metrics"`
	Importance []model.Importance `json:"importance"`
	// Metadata is what the model reports about itself (chosen penalty, best
	// boosting round, tree count).
	Metadata    json.RawMessage `json:"metadata"`
	AuthorID    *int64          `json:"author_id"`
	Active      bool            `json:"active"`
	ActivatedAt *time.Time      `json:"activated_at"`
	CreatedAt   time.Time       `json:"created_at"`
}

// versionFromRow maps a model_versions row.
func versionFromRow(r db.GetModelVersionRow) (ModelVersion, error) {
	v := ModelVersion{
		ID: r.ID, Name: r.Name, Version: int(r.Version), Kind: r.Kind, FeatureSet: r.FeatureSet,
		Features: r.Features, Params: r.Params, Metadata: r.Metadata,
		Test:     dataset.DateRange{Start: r.TestFrom, End: r.TestTo},
		AuthorID: r.AuthorID, Active: r.Active, ActivatedAt: r.ActivatedAt, CreatedAt: r.CreatedAt,
	}
	if r.TrainFrom != nil && r.TrainTo != nil {
		v.Train = dataset.DateRange{Start: *r.TrainFrom, End: *r.TrainTo}
	}
	if r.ValidFrom != nil && r.ValidTo != nil {
		v.Valid = dataset.DateRange{Start: *r.ValidFrom, End: *r.ValidTo}
	}
	if err := json.Unmarshal(r.Metrics, &v.Metrics); err != nil {
		return v, fmt.Errorf("model version %d metrics: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Importance, &v.Importance); err != nil {
		return v, fmt.Errorf("model version %d importance: %w", r.ID, err)
	}
	return v, nil
}

// newVersion is everything stored for a new model version.
type newVersion struct {
	name, kind   string
	features     []string
	params       json.RawMessage
	preprocess   json.RawMessage // nil: raw features
	train, valid dataset.DateRange
	test         dataset.DateRange
	metrics      Metrics
	daily        []DayIC
	importance   []model.Importance
	metadata     map[string]any
	authorID     *int64
	blob         []byte
}

// save stores nv as the next version of its name, with its daily IC, and
// activates it when asked. A name keeps one kind of model.
func (p *Pipeline) save(ctx context.Context, nv newVersion, activate bool) (ModelVersion, error) {
	metrics, err := json.Marshal(nv.metrics)
	if err != nil {
		return ModelVersion{}, err
	}
	if nv.importance == nil {
		nv.importance = []model.Importance{}
	}
	importance, err := json.Marshal(nv.importance)
	if err != nil {
		return ModelVersion{}, err
	}
	metadata, err := json.Marshal(cleanMetadata(nv.metadata))
	if err != nil {
		return ModelVersion{}, err
	}
	if len(nv.params) == 0 {
		nv.params = json.RawMessage("{}")
	}
	var id int64
	err = db.WithTx(ctx, p.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.LockModelName(ctx, nv.name); err != nil {
			return err
		}
		if err := checkNameKind(ctx, q, nv.name, nv.kind); err != nil {
			return err
		}
		row, err := q.CreateModelVersion(ctx, db.CreateModelVersionParams{
			Name: nv.name, Kind: nv.kind, FeatureSet: p.store.Name(), Features: nv.features,
			Params: nv.params, Preprocess: nv.preprocess,
			TrainFrom: datePtr(nv.train.Start), TrainTo: datePtr(nv.train.End),
			ValidFrom: datePtr(nv.valid.Start), ValidTo: datePtr(nv.valid.End),
			TestFrom: asx.Civil(nv.test.Start), TestTo: asx.Civil(nv.test.End),
			Metrics: metrics, Importance: importance, Metadata: metadata,
			AuthorID: nv.authorID, Blob: nv.blob,
		})
		if err != nil {
			return err
		}
		id = row.ID
		daily := make([]db.CopyModelDailyICParams, len(nv.daily))
		for i, d := range nv.daily {
			daily[i] = db.CopyModelDailyICParams{
				ModelVersionID: id, Date: asx.Civil(d.Date), Ic: num(d.IC), RankIc: num(d.RankIC),
				N: int32(d.N), LongShort: num(d.LongShort),
			}
		}
		if _, err := q.CopyModelDailyIC(ctx, daily); err != nil {
			return err
		}
		if activate {
			return activateLocked(ctx, q, nv.name, id)
		}
		return nil
	})
	if isForeignKeyViolation(err, "model_versions_author_id_fkey") {
		return ModelVersion{}, apperr.FieldError("author_id", "there is no user %d to record as the author", *nv.authorID)
	}
	if err != nil {
		return ModelVersion{}, err
	}
	return p.ModelVersion(ctx, id)
}

// isForeignKeyViolation reports whether err violates the named foreign key.
func isForeignKeyViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == constraint
}

// checkNameKind refuses a model of kind under a name that holds models of
// another kind.
func checkNameKind(ctx context.Context, q *db.Queries, name, kind string) error {
	have, err := q.GetModelNameKind(ctx, name)
	switch {
	case err == nil && have != kind:
		return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf(
			"model name %q holds %s models; give the %s model another name", name, have, kind)}
	case err != nil && !db.IsNotFound(err):
		return err
	}
	return nil
}

// Activate makes version id the active version of its name, deactivating
// the one that was.
func (p *Pipeline) Activate(ctx context.Context, id int64) (ModelVersion, error) {
	err := db.WithTx(ctx, p.pool, func(q *db.Queries, _ pgx.Tx) error {
		name, err := q.GetModelVersionName(ctx, id)
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "model version %d does not exist", id)
		}
		if err != nil {
			return err
		}
		if err := q.LockModelName(ctx, name); err != nil {
			return err
		}
		return activateLocked(ctx, q, name, id)
	})
	if err != nil {
		return ModelVersion{}, err
	}
	return p.ModelVersion(ctx, id)
}

// activateLocked switches the active version of name; the caller holds the
// name's lock.
func activateLocked(ctx context.Context, q *db.Queries, name string, id int64) error {
	if err := q.DeactivateModelName(ctx, name); err != nil {
		return err
	}
	_, err := q.ActivateModelVersion(ctx, id)
	return err
}

// ModelVersion returns one version by id.
func (p *Pipeline) ModelVersion(ctx context.Context, id int64) (ModelVersion, error) {
	r, err := db.New(p.pool).GetModelVersion(ctx, id)
	if db.IsNotFound(err) {
		return ModelVersion{}, apperr.New(apperr.NotFound, "model version %d does not exist", id)
	}
	if err != nil {
		return ModelVersion{}, err
	}
	return versionFromRow(r)
}

// ActiveVersion returns the active version of a model name. An unknown name
// is a NotFound error listing the names that have an active version.
func (p *Pipeline) ActiveVersion(ctx context.Context, name string) (ModelVersion, error) {
	r, err := resolveActive(ctx, db.New(p.pool), name)
	if err != nil {
		return ModelVersion{}, err
	}
	return versionFromRow(db.GetModelVersionRow(r))
}

// resolveActive looks up the active version of name.
func resolveActive(ctx context.Context, q *db.Queries, name string) (db.GetActiveModelVersionRow, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	r, err := q.GetActiveModelVersion(ctx, name)
	if err == nil || !db.IsNotFound(err) {
		return r, err
	}
	names, err := q.ListActiveModelNames(ctx)
	if err != nil {
		return r, err
	}
	msg := fmt.Sprintf("unknown model %q; available: %s", name, strings.Join(names, ", "))
	if len(names) == 0 {
		msg = fmt.Sprintf("unknown model %q; no model is active yet", name)
	}
	return r, &apperr.Error{Code: apperr.NotFound, Field: "model", Message: msg}
}

// ModelVersions lists the versions of a model name, newest first.
func (p *Pipeline) ModelVersions(ctx context.Context, name string) ([]ModelSummary, error) {
	rows, err := db.New(p.pool).ListModelVersions(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]ModelSummary, 0, len(rows))
	for _, r := range rows {
		s := ModelSummary{
			ID: r.ID, Name: r.Name, Version: int(r.Version), Kind: r.Kind, Active: r.Active,
			Test:     dataset.DateRange{Start: r.TestFrom, End: r.TestTo},
			AuthorID: r.AuthorID, ActivatedAt: r.ActivatedAt, CreatedAt: r.CreatedAt, Versions: len(rows),
		}
		if err := json.Unmarshal(r.Metrics, &s.Metrics); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ModelSummary is a model name's active version (or its latest, when none
// is active) for lists.
type ModelSummary struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Version     int               `json:"version"`
	Kind        string            `json:"kind"`
	Active      bool              `json:"active"`
	Versions    int               `json:"versions"`
	Metrics     Metrics           `json:"metrics"`
	Test        dataset.DateRange `json:"test"`
	AuthorID    *int64            `json:"author_id,omitempty"`
	ActivatedAt *time.Time        `json:"activated_at"`
	CreatedAt   time.Time         `json:"created_at"`
}

// ListModels returns one summary per model name, by name.
func (p *Pipeline) ListModels(ctx context.Context) ([]ModelSummary, error) {
	rows, err := db.New(p.pool).ListModels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ModelSummary, 0, len(rows))
	for _, r := range rows {
		s := ModelSummary{
			ID: r.ID, Name: r.Name, Version: int(r.Version), Kind: r.Kind, Active: r.Active,
			Versions: int(r.Versions), Test: dataset.DateRange{Start: r.TestFrom, End: r.TestTo},
			ActivatedAt: r.ActivatedAt, CreatedAt: r.CreatedAt,
		}
		if err := json.Unmarshal(r.Metrics, &s.Metrics); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// DailyIC returns a version's per-day IC over its test segment, for the IC
// chart.
func (p *Pipeline) DailyIC(ctx context.Context, versionID int64) ([]DayIC, error) {
	rows, err := db.New(p.pool).ListModelDailyIC(ctx, versionID)
	if err != nil {
		return nil, err
	}
	out := make([]DayIC, len(rows))
	for i, r := range rows {
		out[i] = DayIC{Date: r.Date, IC: val(r.Ic), RankIC: val(r.RankIc), N: int(r.N), LongShort: val(r.LongShort)}
	}
	return out, nil
}

func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := asx.Civil(t)
	return &d
}

// cleanMetadata prepares model metadata for the jsonb column: feature
// importance has its own column, NaN and infinite numbers become null, and a
// value JSON cannot encode at all is left out.
func cleanMetadata(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k == "feature_importance" {
			continue
		}
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			v = nil
		}
		if _, err := json.Marshal(v); err != nil {
			continue
		}
		out[k] = v
	}
	return out
}

package pipeline

import (
	"context"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// Signal is a model's latest view of one instrument.
type Signal struct {
	Code      string    `json:"symbol"`
	Model     string    `json:"model"`
	Kind      string    `json:"kind"`
	VersionID int64     `json:"model_version_id"`
	Version   int       `json:"model_version"`
	AsOf      time.Time `json:"as_of"`
	Score     float64   `json:"score"`
	// Rank is 1 for the best score among Universe instruments scored that
	// day; Percentile is (Universe - Rank + 1) / Universe.
	Rank       int     `json:"rank"`
	Percentile float64 `json:"percentile"`
	Universe   int     `json:"universe"`
	// Simulated: the instrument's bar that day is simulated (the demo's days
	// after the real history); the score ranks simulated prices.
	Simulated bool `json:"simulated"`
}

// LatestSignal returns the most recent signal of code from the active
// version of the model name. An unknown model is NotFound listing the
// available names; an unknown code, or one the model has not scored, is
// NotFound too.
func (p *Pipeline) LatestSignal(ctx context.Context, code, modelName string) (Signal, error) {
	q := db.New(p.pool)
	v, err := resolveActive(ctx, q, modelName)
	if err != nil {
		return Signal{}, err
	}
	code, err = knownCode(ctx, q, code)
	if err != nil {
		return Signal{}, err
	}
	r, err := q.GetLatestSignal(ctx, db.GetLatestSignalParams{ModelVersionID: v.ID, Code: code})
	if db.IsNotFound(err) {
		return Signal{}, &apperr.Error{Code: apperr.NotFound, Field: "symbol",
			Message: "model " + v.Name + " has no signal for " + code + " yet"}
	}
	if err != nil {
		return Signal{}, err
	}
	sim, err := q.IsSimBar(ctx, db.IsSimBarParams{Code: code, Date: r.Date})
	return Signal{
		Code: code, Model: v.Name, Kind: v.Kind, VersionID: v.ID, Version: int(v.Version),
		AsOf: r.Date, Score: r.Score, Rank: int(r.Rank), Percentile: r.Percentile, Universe: int(r.N),
		Simulated: sim,
	}, err
}

// knownCode returns code upper-cased, or NotFound when no such instrument
// exists.
func knownCode(ctx context.Context, q *db.Queries, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	found, err := q.ListInstrumentsByCodes(ctx, []string{code})
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		return "", &apperr.Error{Code: apperr.NotFound, Field: "symbol", Message: "unknown instrument " + code}
	}
	return code, nil
}

// RankingQuery selects a model's ranking.
type RankingQuery struct {
	Model string
	// Date is the signal day; zero means the model's latest.
	Date time.Time
	// Top limits the rows (0: every instrument).
	Top int
	// Sector keeps one GICS sector ("" keeps all).
	Sector string
}

// Ranking is a model's signals on one day, best first.
type Ranking struct {
	Model     string    `json:"model"`
	Kind      string    `json:"kind"`
	VersionID int64     `json:"model_version_id"`
	Version   int       `json:"model_version"`
	Date      time.Time `json:"date"`
	// PrevDate is the model's previous signal day, zero when there is none.
	PrevDate time.Time `json:"prev_date,omitzero"`
	// Simulated: most of the day's bars are simulated (see Signal.Simulated).
	Simulated bool           `json:"simulated"`
	Rows      []RankedSignal `json:"rows"`
}

// RankedSignal is one row of a Ranking.
type RankedSignal struct {
	Code       string  `json:"symbol"`
	Name       string  `json:"name"`
	Sector     string  `json:"sector"`
	Score      float64 `json:"score"`
	Rank       int     `json:"rank"`
	Percentile float64 `json:"percentile"`
	// PrevRank is the rank on PrevDate (0 when the instrument was not
	// scored then); Change is PrevRank - Rank, so moving up is positive.
	PrevRank int `json:"prev_rank,omitempty"`
	Change   int `json:"change"`
}

// Ranking returns the active version of q.Model's signals on q.Date, with
// each instrument's change in rank since the model's previous signal day.
func (p *Pipeline) Ranking(ctx context.Context, rq RankingQuery) (Ranking, error) {
	q := db.New(p.pool)
	v, err := resolveActive(ctx, q, rq.Model)
	if err != nil {
		return Ranking{}, err
	}
	if rq.Top < 0 {
		return Ranking{}, apperr.FieldError("top", "top must be 0 (all) or more, not %d", rq.Top)
	}
	out := Ranking{Model: v.Name, Kind: v.Kind, VersionID: v.ID, Version: int(v.Version), Rows: []RankedSignal{}}
	date := asx.Civil(rq.Date)
	if rq.Date.IsZero() {
		if date, err = q.GetLatestSignalDate(ctx, v.ID); err != nil {
			return out, err
		}
		if date.Year() <= 1 {
			return out, apperr.New(apperr.NotFound, "model %s has no signals yet", v.Name)
		}
	}
	out.Date = date
	if out.Simulated, err = q.IsSimDay(ctx, date); err != nil {
		return out, err
	}
	prev, err := q.GetPreviousSignalDate(ctx, db.GetPreviousSignalDateParams{ModelVersionID: v.ID, Before: date})
	if err != nil {
		return out, err
	}
	if prev.Year() > 1 {
		out.PrevDate = prev
	}
	limit := int32(rq.Top)
	if limit == 0 {
		limit = 1 << 30
	}
	rows, err := q.ListRanking(ctx, db.ListRankingParams{
		PrevDate: prev, ModelVersionID: v.ID, Date: date, Sector: strings.TrimSpace(rq.Sector), N: limit,
	})
	if err != nil {
		return out, err
	}
	if len(rows) == 0 && strings.TrimSpace(rq.Sector) == "" {
		return out, apperr.New(apperr.NotFound, "model %s has no signals on %s", v.Name, date.Format(time.DateOnly))
	}
	for _, r := range rows {
		s := RankedSignal{Code: r.Code, Name: r.Name, Sector: r.Sector, Score: r.Score, Rank: int(r.Rank), Percentile: r.Percentile}
		if r.PrevRank != nil {
			s.PrevRank = int(*r.PrevRank)
			s.Change = s.PrevRank - s.Rank
		}
		out.Rows = append(out.Rows, s)
	}
	return out, nil
}

// SignalPoint is one day of an instrument's score history.
type SignalPoint struct {
	Date       time.Time `json:"date"`
	Score      float64   `json:"score"`
	Rank       int       `json:"rank"`
	Percentile float64   `json:"percentile"`
}

// SignalHistory returns the active version of modelName's signals for code
// between from and to, both included, for overlaying on a chart.
func (p *Pipeline) SignalHistory(ctx context.Context, code, modelName string, from, to time.Time) ([]SignalPoint, error) {
	q := db.New(p.pool)
	v, err := resolveActive(ctx, q, modelName)
	if err != nil {
		return nil, err
	}
	if code, err = knownCode(ctx, q, code); err != nil {
		return nil, err
	}
	rows, err := q.ListSignalHistory(ctx, db.ListSignalHistoryParams{
		ModelVersionID: v.ID, Code: code, FromDate: asx.Civil(from), ToDate: asx.Civil(to),
	})
	if err != nil {
		return nil, err
	}
	out := make([]SignalPoint, len(rows))
	for i, r := range rows {
		out[i] = SignalPoint{Date: r.Date, Score: r.Score, Rank: int(r.Rank), Percentile: r.Percentile}
	}
	return out, nil
}

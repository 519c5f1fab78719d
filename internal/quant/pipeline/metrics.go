package pipeline

import (
	"encoding/json"
	"math"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/analysis"
)

// quantileBuckets is the number of score buckets of the quantile analysis.
const quantileBuckets = 5

// Metrics is a model version's evaluation on its test segment, as Qlib's
// SigAnaRecord reports it, plus the quintile returns. Values that cannot be
// computed (a single day has no standard deviation) are NaN, and null in JSON.
type Metrics struct {
	IC, ICStd, ICIR             float64
	RankIC, RankICStd, RankICIR float64
	// Days is the number of test days with an IC.
	Days int
	// Quantiles is the mean raw LABEL0 of each score quintile, lowest
	// scores first; LongShort is the top quintile's minus the bottom's.
	Quantiles    []float64
	LongShort    float64
	QuantileDays int
	// Rows used to fit, to choose the penalty or stopping round, and to test.
	TrainRows, ValidRows, TestRows int
	FitSeconds                     float64
	// Label is the label trained on and measured against (store.LabelPrice,
	// Qlib's LABEL0, or store.LabelTotalReturn); "" in versions made before
	// the choice existed, which used LABEL0.
	Label string
}

type metricsJSON struct {
	IC           *float64   `json:"ic"`
	ICStd        *float64   `json:"ic_std"`
	ICIR         *float64   `json:"icir"`
	RankIC       *float64   `json:"rank_ic"`
	RankICStd    *float64   `json:"rank_ic_std"`
	RankICIR     *float64   `json:"rank_icir"`
	Days         int        `json:"days"`
	Quantiles    []*float64 `json:"quantiles"`
	LongShort    *float64   `json:"long_short"`
	QuantileDays int        `json:"quantile_days"`
	TrainRows    int        `json:"train_rows"`
	ValidRows    int        `json:"valid_rows"`
	TestRows     int        `json:"test_rows"`
	FitSeconds   float64    `json:"fit_seconds"`
	Label        string     `json:"label,omitempty"`
}

// MarshalJSON writes NaN and infinite values as null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	w := metricsJSON{
		IC: num(m.IC), ICStd: num(m.ICStd), ICIR: num(m.ICIR),
		RankIC: num(m.RankIC), RankICStd: num(m.RankICStd), RankICIR: num(m.RankICIR),
		Days: m.Days, LongShort: num(m.LongShort), QuantileDays: m.QuantileDays,
		TrainRows: m.TrainRows, ValidRows: m.ValidRows, TestRows: m.TestRows,
		FitSeconds: m.FitSeconds, Quantiles: make([]*float64, len(m.Quantiles)), Label: m.Label,
	}
	for i, v := range m.Quantiles {
		w.Quantiles[i] = num(v)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads null as NaN.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	var w metricsJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Metrics{
		IC: val(w.IC), ICStd: val(w.ICStd), ICIR: val(w.ICIR),
		RankIC: val(w.RankIC), RankICStd: val(w.RankICStd), RankICIR: val(w.RankICIR),
		Days: w.Days, LongShort: val(w.LongShort), QuantileDays: w.QuantileDays,
		TrainRows: w.TrainRows, ValidRows: w.ValidRows, TestRows: w.TestRows,
		FitSeconds: w.FitSeconds, Quantiles: make([]float64, len(w.Quantiles)), Label: w.Label,
	}
	for i, v := range w.Quantiles {
		m.Quantiles[i] = val(v)
	}
	return nil
}

// num is v for JSON: nil when v is not a finite number.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// val reads a nullable number back, NaN for null.
func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// DayIC is one test day of a model version: its IC, Rank IC, instruments and
// the spread between its top and bottom score quintiles (NaN when the day had
// too few instruments to bucket).
type DayIC struct {
	Date      time.Time `json:"date"`
	IC        float64   `json:"ic"`
	RankIC    float64   `json:"rank_ic"`
	N         int       `json:"n"`
	LongShort float64   `json:"long_short"`
}

// evaluate measures scores against the raw label over the test rows.
func evaluate(dates []time.Time, score, label []float64) (Metrics, []DayIC, error) {
	days := analysis.DailyIC(dates, score, label)
	if len(days) == 0 {
		return Metrics{}, nil, apperr.FieldError("test", "the test window has no day with realised labels for two or more instruments to measure the model on")
	}
	sum := analysis.Summarise(days)
	qr, err := analysis.Quantiles(dates, score, label, quantileBuckets)
	if err != nil {
		return Metrics{}, nil, err
	}
	m := Metrics{
		IC: sum.IC, ICStd: sum.ICStd, ICIR: sum.ICIR,
		RankIC: sum.RankIC, RankICStd: sum.RankICStd, RankICIR: sum.RankICIR,
		Days: sum.Days, Quantiles: qr.Mean, LongShort: qr.LongShort, QuantileDays: qr.Days,
	}
	spread := make(map[time.Time]float64, len(qr.Daily))
	for _, d := range qr.Daily {
		spread[d.Date] = d.LongShort()
	}
	series := make([]DayIC, len(days))
	for i, d := range days {
		ls, ok := spread[d.Date]
		if !ok {
			ls = math.NaN()
		}
		series[i] = DayIC{Date: d.Date, IC: d.IC, RankIC: d.RankIC, N: d.N, LongShort: ls}
	}
	return m, series, nil
}

// MarshalJSON writes NaN values as null.
func (d DayIC) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Date      string   `json:"date"`
		IC        *float64 `json:"ic"`
		RankIC    *float64 `json:"rank_ic"`
		N         int      `json:"n"`
		LongShort *float64 `json:"long_short"`
	}{d.Date.Format(time.DateOnly), num(d.IC), num(d.RankIC), d.N, num(d.LongShort)})
}

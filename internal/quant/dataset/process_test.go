package dataset

import (
	"math"
	"testing"
	"time"
)

func TestDropMissingLabel(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		raw := samplePanel(t)
		p := DropMissingLabel(raw)
		assertDates(t, p, "2020-01-02", "2020-01-03", "2020-01-06")
		assertRows(t, p, []flatRow{
			{"2020-01-02", "BHP", []float64{1, 10}, 0.1},
			{"2020-01-02", "CBA", []float64{7, 70}, 0.5},
			{"2020-01-03", "ANZ", []float64{4, 40}, 0.2},
			{"2020-01-06", "ANZ", []float64{5, 50}, 0.4},
			{"2020-01-06", "BHP", []float64{3, 30}, 0.3},
			{"2020-01-06", "CBA", []float64{8, 80}, 0.6},
		})
		if raw.Len() != 8 {
			t.Errorf("source panel changed: Len() = %d, want 8", raw.Len())
		}
	})

	t.Run("NothingMissing", func(t *testing.T) {
		p := DropMissingLabel(samplePanel(t))
		if q := DropMissingLabel(p); q != p {
			t.Errorf("got a new panel, want the same one when no label is missing")
		}
	})

	t.Run("AllMissing", func(t *testing.T) {
		p := DropMissingLabel(mustBuild(t, []string{"f"},
			instrument{"BHP", dates(t, "2020-01-02"), [][]float64{{1}}, nil}))
		if p.Len() != 0 || len(p.Dates) != 0 {
			t.Errorf("Len %d, Dates %v, want an empty panel", p.Len(), p.Dates)
		}
		if m := p.Matrix(); m.Rows != 0 {
			t.Errorf("Matrix rows = %d, want 0", m.Rows)
		}
	})
}

func TestCSZScoreNormLabel(t *testing.T) {
	// One instrument per code, labels laid out day by day:
	//
	//	2020-01-02  A=1 B=2 C=3        mean 2, std 1 (ddof=1)
	//	2020-01-03  A=1 B=3 C=NaN D=8  mean 4, std √13
	//	2020-01-06  A=5                one value: no std
	//	2020-01-07  A=2 B=2            equal values: std 0
	days := dates(t, "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07")
	raw := mustBuild(t, []string{"f"},
		instrument{"A", days, [][]float64{{0, 0, 0, 0}}, []float64{1, 1, 5, 2}},
		instrument{"B", []time.Time{days[0], days[1], days[3]}, [][]float64{{0, 0, 0}}, []float64{2, 3, 2}},
		instrument{"C", days[:2], [][]float64{{0, 0}}, []float64{3, nan}},
		instrument{"D", days[1:2], [][]float64{{0}}, []float64{8}},
	)
	p := CSZScoreNormLabel(raw)
	s13 := math.Sqrt(13)
	assertRows(t, p, []flatRow{
		{"2020-01-02", "A", []float64{0}, -1},
		{"2020-01-02", "B", []float64{0}, 0},
		{"2020-01-02", "C", []float64{0}, 1},
		{"2020-01-03", "A", []float64{0}, -3 / s13},
		{"2020-01-03", "B", []float64{0}, -1 / s13},
		{"2020-01-03", "C", []float64{0}, nan},
		{"2020-01-03", "D", []float64{0}, 4 / s13},
		{"2020-01-06", "A", []float64{0}, nan},
		{"2020-01-07", "A", []float64{0}, nan},
		{"2020-01-07", "B", []float64{0}, nan},
	})
	if got := raw.Label(0); got != 1 {
		t.Errorf("source label changed to %v", got)
	}
	if got := DropMissingLabel(p).Len(); got != 6 {
		t.Errorf("rows left after dropping undefined z-scores = %d, want 6", got)
	}
}

package dataset

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestBuild(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		p := samplePanel(t)
		assertDates(t, p, "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07")
		if got, want := p.Codes, []string{"ANZ", "BHP", "CBA"}; !slices.Equal(got, want) {
			t.Errorf("Codes = %v, want %v", got, want)
		}
		assertRows(t, p, []flatRow{
			{"2020-01-02", "BHP", []float64{1, 10}, 0.1},
			{"2020-01-02", "CBA", []float64{7, 70}, 0.5},
			{"2020-01-03", "ANZ", []float64{4, 40}, 0.2},
			{"2020-01-03", "BHP", []float64{2, 20}, nan},
			{"2020-01-06", "ANZ", []float64{5, 50}, 0.4},
			{"2020-01-06", "BHP", []float64{3, 30}, 0.3},
			{"2020-01-06", "CBA", []float64{8, 80}, 0.6},
			{"2020-01-07", "ANZ", []float64{6, 60}, nan},
		})
	})

	t.Run("RowAccessors", func(t *testing.T) {
		p := samplePanel(t)
		for i, want := range flatten(p) {
			r := p.Row(i)
			if got := r.Date.Format(time.DateOnly); got != want.date {
				t.Errorf("Row(%d).Date = %s, want %s", i, got, want.date)
			}
			if r.Code != want.code || !nearSlices(r.X, want.x) || !near(r.Label, want.label) {
				t.Errorf("Row(%d) = %v, want %v", i, r, want)
			}
		}
		if start, end := p.DayRows(2); start != 4 || end != 7 {
			t.Errorf("DayRows(2) = %d, %d, want 4, 7", start, end)
		}
	})

	t.Run("CalendarDaysFromAnyZone", func(t *testing.T) {
		sydney := time.FixedZone("AEDT", 11*3600)
		p := mustBuild(t, []string{"f"},
			instrument{"BHP", []time.Time{time.Date(2020, 1, 2, 0, 0, 0, 0, sydney)}, [][]float64{{1}}, nil},
			instrument{"CBA", []time.Time{time.Date(2020, 1, 2, 16, 10, 0, 0, time.UTC)}, [][]float64{{2}}, nil},
		)
		assertDates(t, p, "2020-01-02")
		if got := p.Dates[0]; got != testenv.Date(t, "2020-01-02") {
			t.Errorf("Dates[0] = %v, want midnight UTC", got)
		}
		if !math.IsNaN(p.Label(0)) || !math.IsNaN(p.Label(1)) {
			t.Errorf("labels = %v, %v, want NaN for a nil label", p.Label(0), p.Label(1))
		}
	})

	t.Run("Empty", func(t *testing.T) {
		p := NewBuilder([]string{"f"}).Build()
		if p.Len() != 0 || len(p.Dates) != 0 {
			t.Errorf("empty build: Len %d, Dates %v", p.Len(), p.Dates)
		}
	})

	t.Run("GrowThenResets", func(t *testing.T) {
		b := NewBuilder([]string{"f"})
		b.Grow(3)
		if err := b.Add("BHP", dates(t, "2020-01-02", "2020-01-03"), [][]float64{{1, 2}}, []float64{1, 2}); err != nil {
			t.Fatal(err)
		}
		p := b.Build()
		if p.Len() != 2 {
			t.Fatalf("Len() = %d, want 2", p.Len())
		}
		if err := b.Add("BHP", dates(t, "2020-01-02"), [][]float64{{9}}, nil); err != nil {
			t.Fatalf("Add after Build: %v", err)
		}
		if q := b.Build(); q.Len() != 1 || p.X(0)[0] != 1 {
			t.Errorf("second build Len %d, first panel X(0) %v", q.Len(), p.X(0))
		}
	})
}

func TestBuilderAddErrors(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		dates    []time.Time
		features [][]float64
		label    []float64
		field    string
	}{
		{"ErrEmptyCode", "", dates(t, "2020-01-02"), [][]float64{{1}, {2}}, nil, "code"},
		{"ErrDuplicateCode", "BHP", dates(t, "2020-01-02"), [][]float64{{1}, {2}}, nil, "code"},
		{"ErrFeatureCount", "CBA", dates(t, "2020-01-02"), [][]float64{{1}}, nil, "features"},
		{"ErrColumnLength", "CBA", dates(t, "2020-01-02"), [][]float64{{1}, {2, 3}}, nil, "features"},
		{"ErrLabelLength", "CBA", dates(t, "2020-01-02"), [][]float64{{1}, {2}}, []float64{1, 2}, "label"},
		{"ErrUnsortedDates", "CBA", dates(t, "2020-01-03", "2020-01-02"), [][]float64{{1, 2}, {3, 4}}, nil, "dates"},
		{"ErrRepeatedDay", "CBA", []time.Time{testenv.Date(t, "2020-01-02"), testenv.Date(t, "2020-01-02").Add(time.Hour)},
			[][]float64{{1, 2}, {3, 4}}, nil, "dates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder([]string{"f0", "f1"})
			if err := b.Add("BHP", dates(t, "2020-01-02"), [][]float64{{1}, {2}}, nil); err != nil {
				t.Fatal(err)
			}
			err := b.Add(tt.code, tt.dates, tt.features, tt.label)
			assertFieldError(t, err, tt.field, "")
			if p := b.Build(); p.Len() != 1 {
				t.Errorf("a rejected Add left %d rows, want 1", p.Len())
			}
		})
	}
}

func TestMatrix(t *testing.T) {
	p := DropMissingLabel(samplePanel(t))
	m := p.Matrix()
	if m.Rows != 6 || m.Cols != 2 {
		t.Fatalf("Matrix is %d×%d, want 6×2", m.Rows, m.Cols)
	}
	wantX := []float64{1, 10, 7, 70, 4, 40, 5, 50, 3, 30, 8, 80}
	wantY := []float64{0.1, 0.5, 0.2, 0.4, 0.3, 0.6}
	wantCodes := []string{"BHP", "CBA", "ANZ", "ANZ", "BHP", "CBA"}
	wantDates := dates(t, "2020-01-02", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-06", "2020-01-06")
	if !nearSlices(m.X, wantX) {
		t.Errorf("X = %v, want %v", m.X, wantX)
	}
	if !nearSlices(m.Y, wantY) {
		t.Errorf("Y = %v, want %v", m.Y, wantY)
	}
	if !slices.Equal(m.Codes, wantCodes) {
		t.Errorf("Codes = %v, want %v", m.Codes, wantCodes)
	}
	for i := range wantDates {
		if !m.Dates[i].Equal(wantDates[i]) {
			t.Errorf("Dates[%d] = %v, want %v", i, m.Dates[i], wantDates[i])
		}
	}
	m.X[0] = 999
	if got := p.X(0)[0]; got != 1 {
		t.Errorf("writing the matrix changed the panel: X(0)[0] = %v", got)
	}
}

package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

var nan = math.NaN()

// near reports whether a and b agree to 1e-12, treating NaN as equal to NaN.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12
}

// day is one date's rows in a test table.
type day struct {
	date         string
	score, label []float64
}

// rows flattens days into the row-aligned slices DailyIC takes.
func rows(t *testing.T, days ...day) (dates []time.Time, score, label []float64) {
	t.Helper()
	for _, d := range days {
		for range d.score {
			dates = append(dates, testenv.Date(t, d.date))
		}
		score = append(score, d.score...)
		label = append(label, d.label...)
	}
	return dates, score, label
}

func assertDays(t *testing.T, got, want []DayIC) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d days %+v, want %d days %+v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Date.Equal(w.Date) || !near(g.IC, w.IC) || !near(g.RankIC, w.RankIC) || g.N != w.N {
			t.Errorf("day %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestDailyIC(t *testing.T) {
	tests := []struct {
		name string
		days []day
		want []DayIC
	}{
		{
			name: "HandComputed",
			// dx (-1.5, -.5, .5, 1.5), dy (-1.5, .5, -.5, 1.5): 4 / √(5 × 5).
			// The values are their own ranks, so Rank IC is the same.
			days: []day{{"2020-01-02", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}}},
			want: []DayIC{{testenv.Date(t, "2020-01-02"), 0.8, 0.8, 4}},
		},
		{
			name: "PerfectPositiveAndNegative",
			days: []day{
				{"2020-01-02", []float64{0.1, 0.2, 0.3}, []float64{-1, 0, 5}},
				{"2020-01-03", []float64{1, 2, 3}, []float64{3, 2, 1}},
			},
			// Day 1 is monotone but not linear, so Rank IC is 1 and IC less:
			// dx (-.1, 0, .1), dy (-7/3, -4/3, 11/3) → 0.6 / √(0.02 × 186/9).
			want: []DayIC{
				{testenv.Date(t, "2020-01-02"), 0.6 / math.Sqrt(0.02*186.0/9), 1, 3},
				{testenv.Date(t, "2020-01-03"), -1, -1, 3},
			},
		},
		{
			name: "TiesGetAverageRanks",
			// Scores 1,1,2,3 rank 1.5,1.5,3,4; labels rank 1..4.
			// IC: dx (-.75,-.75,.25,1.25), dy (-1.5,-.5,.5,1.5) → 3.5/√(2.75×5).
			// Rank IC: dx (-1,-1,.5,1.5) → 4.5/√(4.5×5).
			days: []day{{"2020-01-02", []float64{1, 1, 2, 3}, []float64{1, 2, 3, 4}}},
			want: []DayIC{{testenv.Date(t, "2020-01-02"), 3.5 / math.Sqrt(2.75*5), 4.5 / math.Sqrt(4.5*5), 4}},
		},
		{
			name: "MissingPairsDropped",
			days: []day{{"2020-01-02", []float64{1, nan, 2, 3, 4}, []float64{1, 9, 2, 3, nan}}},
			want: []DayIC{{testenv.Date(t, "2020-01-02"), 1, 1, 3}},
		},
		{
			name: "DegenerateDaysSkipped",
			days: []day{
				{"2020-01-02", []float64{2, 2, 2}, []float64{1, 2, 3}},       // scores all equal
				{"2020-01-03", []float64{1, 2, 3}, []float64{0.1, 0.1, 0.1}}, // labels all equal
				{"2020-01-06", []float64{1, 2, nan}, []float64{1, nan, 3}},   // one valid pair
				{"2020-01-07", []float64{1, 2}, []float64{2, 1}},
			},
			want: []DayIC{{testenv.Date(t, "2020-01-07"), -1, -1, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDays(t, DailyIC(rows(t, tt.days...)), tt.want)
		})
	}

	t.Run("UnsortedRows", func(t *testing.T) {
		dates := []time.Time{testenv.Date(t, "2020-01-03"), testenv.Date(t, "2020-01-02"), testenv.Date(t, "2020-01-03"),
			testenv.Date(t, "2020-01-02"), testenv.Date(t, "2020-01-03"), testenv.Date(t, "2020-01-02")}
		score := []float64{1, 1, 2, 2, 3, 3}
		label := []float64{3, 1, 2, 2, 1, 3}
		assertDays(t, DailyIC(dates, score, label), []DayIC{
			{testenv.Date(t, "2020-01-02"), 1, 1, 3},
			{testenv.Date(t, "2020-01-03"), -1, -1, 3},
		})
	})

	t.Run("Empty", func(t *testing.T) {
		if got := DailyIC(nil, nil, nil); len(got) != 0 {
			t.Errorf("DailyIC of no rows = %v, want none", got)
		}
	})

	t.Run("PanicsOnLengthMismatch", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("DailyIC with mismatched slices did not panic")
			}
		}()
		DailyIC([]time.Time{testenv.Date(t, "2020-01-02")}, []float64{1, 2}, []float64{1})
	})
}

func TestSummarise(t *testing.T) {
	days := []DayIC{
		{Date: testenv.Date(t, "2020-01-02"), IC: 0.8, RankIC: 0.5},
		{Date: testenv.Date(t, "2020-01-03"), IC: 0.5, RankIC: 0.5},
		{Date: testenv.Date(t, "2020-01-06"), IC: -0.2, RankIC: nan},
	}
	got := Summarise(days)
	// IC: mean 1.1/3; deviations .4333, .1333, -.5667 square-sum to .52667,
	// over n-1 = 2 gives variance .26333.
	want := Summary{
		IC: 0.3666666666666667, ICStd: 0.5131601439446885, ICIR: 0.714526782707794,
		RankIC: 0.5, RankICStd: 0, RankICIR: math.Inf(1),
		Days: 3,
	}
	if !near(got.IC, want.IC) || !near(got.ICStd, want.ICStd) || !near(got.ICIR, want.ICIR) ||
		!near(got.RankIC, want.RankIC) || !near(got.RankICStd, want.RankICStd) ||
		got.RankICIR != want.RankICIR || got.Days != want.Days {
		t.Errorf("Summarise = %+v, want %+v", got, want)
	}

	t.Run("OneDay", func(t *testing.T) {
		got := Summarise(days[:1])
		if got.IC != 0.8 || !math.IsNaN(got.ICStd) || !math.IsNaN(got.ICIR) || got.Days != 1 {
			t.Errorf("Summarise(one day) = %+v, want IC 0.8 and NaN std and IR", got)
		}
	})

	t.Run("NoDays", func(t *testing.T) {
		got := Summarise(nil)
		if !math.IsNaN(got.IC) || !math.IsNaN(got.RankICIR) || got.Days != 0 {
			t.Errorf("Summarise(nil) = %+v, want NaN fields", got)
		}
	})
}

func TestRollingRankIC(t *testing.T) {
	days := []DayIC{{RankIC: 0.1}, {RankIC: 0.2}, {RankIC: 0.3}, {RankIC: 0.4}}
	tests := []struct {
		name   string
		days   []DayIC
		window int
		want   float64
	}{
		{"LastTwo", days, 2, 0.35},
		{"WindowLongerThanHistory", days, 10, 0.25},
		{"ZeroWindow", days, 0, nan},
		{"NoDays", nil, 5, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RollingRankIC(tt.days, tt.window); !near(got, tt.want) {
				t.Errorf("RollingRankIC(window %d) = %v, want %v", tt.window, got, tt.want)
			}
		})
	}
}

// BenchmarkDailyIC scores 2,900 days × 200 instruments, about twelve years
// of a 200-stock universe.
func BenchmarkDailyIC(b *testing.B) {
	const days, codes = 2900, 200
	rng := rand.New(rand.NewPCG(1, 2))
	dates := make([]time.Time, 0, days*codes)
	score := make([]float64, 0, days*codes)
	label := make([]float64, 0, days*codes)
	start := testenv.Date(b, "2015-01-02")
	for d := range days {
		t := start.AddDate(0, 0, d)
		for range codes {
			s := rng.NormFloat64()
			dates = append(dates, t)
			score = append(score, s)
			label = append(label, 0.05*s+rng.NormFloat64())
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := DailyIC(dates, score, label); len(got) != days {
			b.Fatalf("got %d days, want %d", len(got), days)
		}
	}
}

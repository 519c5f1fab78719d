package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/calendar"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

var nan = math.NaN()

// haltedBars is a synthetic instrument on an eight-day market calendar that
// did not trade on days 2 and 3 (a halt):
//
//	slot    0    1    2    3    4    5    6    7
//	close  10   11    -    -   13   12   15   14
//	volume 100 200    -    -  300  100  400  200
func haltedBars(t *testing.T) (*calendar.Calendar, []store.Bar) {
	t.Helper()
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // a Monday
	var days []time.Time
	for i := range 8 {
		days = append(days, day0.AddDate(0, 0, i+2*(i/5))) // weekdays
	}
	closes := []float64{10, 11, nan, nan, 13, 12, 15, 14}
	volumes := []int64{100, 200, 0, 0, 300, 100, 400, 200}
	var bars []store.Bar
	for i, c := range closes {
		if c != c {
			continue
		}
		v := volumes[i]
		bars = append(bars, store.Bar{Date: days[i], Open: c, High: c + 1, Low: c - 1, Close: c, Volume: &v})
	}
	return calendar.New(days), bars
}

// TestAlignedQlibSemantics checks the operators over a halt against values
// derived by hand from Qlib's definitions (qlib/data/ops.py on pandas
// rolling(N, min_periods=1), qlib/data/_libs/rolling.pyx for the
// regressions, numpy for element-wise operators), not from this engine's
// output. The halted days are NaN slots: they count in the N of every
// window and hold no value.
func TestAlignedQlibSemantics(t *testing.T) {
	cal, bars := haltedBars(t)
	a := store.Align(cal, bars)
	if a.Series.Len != 8 || a.Halts() != 2 || len(a.Pos) != 6 || a.Pos[2] != 4 {
		t.Fatalf("aligned: %d rows, %d halts, pos %v; want 8 rows, 2 halts, bar 2 on row 4", a.Series.Len, a.Halts(), a.Pos)
	}
	tests := []struct {
		expr string
		slot int
		want float64
		why  string
	}{
		// Windows of 3 ending on slot 4 hold [NaN, NaN, 13].
		{"Mean($close, 3)", 4, 13, "the only value in the window (own rows would give (10+11+13)/3)"},
		{"Sum($close, 3)", 4, 13, "NaN slots add nothing"},
		{"Count($close, 3)", 4, 1, "one value in three slots"},
		{"Std($close, 3)", 4, nan, "ddof=1 over one value"},
		{"Max($close, 3)", 4, 13, ""},
		{"IdxMax($close, 3)", 4, 1, "numpy argmax on a raw window with NaN reports the first NaN"},
		{"Rank($close, 3)", 4, 1, "percentile among the non-NaN values"},
		{"Ref($close, 1)", 4, nan, "the slot before is a halt"},
		{"Ref($close, 3)", 4, 11, "three slots back, halts included"},
		{"Greater($close, Ref($close, 1))", 4, nan, "numpy maximum propagates NaN"},
		{"Mean($close > Ref($close, 1), 3)", 4, 0, "a comparison with NaN is False (0)"},
		// Windows of 3 ending on slot 5 hold [NaN, 13, 12].
		{"Mean($close, 3)", 5, 12.5, ""},
		{"Std($close, 3)", 5, math.Sqrt(0.5), "sqrt(((13-12.5)^2 + (12-12.5)^2)/1)"},
		{"Var($close, 3)", 5, 0.5, ""},
		{"Min($close, 3)", 5, 12, ""},
		{"Med($close, 3)", 5, 12.5, ""},
		{"Quantile($close, 3, 0.8)", 5, 12.8, "linear: 12 + 0.8*(13-12)"},
		{"Rank($close, 3)", 5, 0.5, "12 is the lower of two"},
		{"IdxMin($close, 3)", 5, 1, "first NaN again"},
		{"Slope($close, 3)", 5, -1, "points (2,13), (3,12)"},
		{"Rsquare($close, 3)", 5, 1, "two points fit exactly"},
		{"Resi($close, 3)", 5, 0, ""},
		{"Corr($close, $volume, 3)", 5, 1, "pairs (13,300), (12,100)"},
		{"Ref($close, 1)", 5, 13, ""},
		// Windows of 3 ending on slot 6 hold [13, 12, 15].
		{"Slope($close, 3)", 6, 1, "Sxy 2 / Sxx 2"},
		{"Resi($close, 3)", 6, 2.0 / 3, "15 - (40/3 + 1)"},
		{"Rsquare($close, 3)", 6, 3.0 / 7, "Sxy^2/(Sxx Syy) = 4/(2 * 14/3)"},
		{"Corr($close, $volume, 3)", 6, 13.0 / 14, "(1300/3)/sqrt(14/3 * 140000/3)"},
		{"Mean($close > Ref($close, 1), 3)", 6, 1.0 / 3, "[0, 0, 1]: 13 > NaN and 12 > 13 are False"},
		// Regressions with NaN slots inside the window use their slot
		// positions: rolling.pyx skips NaN but keeps positions 1..N.
		{"Slope($close, 4)", 4, 2.0 / 3, "points (1,11), (4,13)"},
		{"Slope($close, 5)", 5, 9.0 / 26, "points (1,11), (4,13), (5,12)"},
		{"Resi($close, 5)", 5, -15.0 / 26, "12 - (12 + 9/26*(5 - 10/3))"},
		{"Rsquare($close, 5)", 5, 27.0 / 52, "Sxy^2/(Sxx Syy) = 9/(26/3 * 2)"},
		// LABEL0 looks two slots ahead on the calendar.
		{"Ref($close, -2)/Ref($close, -1) - 1", 1, nan, "the next two slots are the halt"},
		{"Ref($close, -2)/Ref($close, -1) - 1", 0, nan, "slot 2 is halted"},
		{"Ref($close, -2)/Ref($close, -1) - 1", 4, 15.0/12 - 1, ""},
		{"Ref($close, -2)/Ref($close, -1) - 1", 5, 14.0/15 - 1, ""},
	}
	for _, tt := range tests {
		out, err := expr.Eval(expr.MustParse(tt.expr), a.Series)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		got := out[tt.slot]
		if !(math.Abs(got-tt.want) <= 1e-12*math.Max(1, math.Abs(tt.want)) || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%s on slot %d = %v, want %v (%s)", tt.expr, tt.slot, got, tt.want, tt.why)
		}
	}
}

func TestAlignLayout(t *testing.T) {
	cal, bars := haltedBars(t)
	t.Run("OK", func(t *testing.T) {
		a := store.Align(cal, bars)
		want := []int{0, 1, 4, 5, 6, 7}
		for i, p := range a.Pos {
			if p != want[i] || !a.Dates[p].Equal(bars[i].Date) {
				t.Fatalf("Pos = %v, want %v", a.Pos, want)
			}
		}
		if c := a.Series.Fields["close"]; !math.IsNaN(c[2]) || !math.IsNaN(c[3]) || c[4] != 13 {
			t.Errorf("close = %v, want NaN on the halted slots", c)
		}
		if v := a.Series.Fields["volume"]; !math.IsNaN(v[3]) || v[4] != 300 {
			t.Errorf("volume = %v, want NaN on the halted slots", v)
		}
	})
	t.Run("FirstToLastBarOnly", func(t *testing.T) {
		a := store.Align(cal, bars[2:4]) // slots 4 and 5
		if a.Series.Len != 2 || !a.Dates[0].Equal(bars[2].Date) {
			t.Errorf("rows %d from %s, want 2 from the first bar", a.Series.Len, a.Dates[0])
		}
	})
	t.Run("DayOutsideCalendar", func(t *testing.T) {
		// A bar on a day no equity traded keeps a row of its own.
		days := cal.Days()
		short := calendar.New(append(append([]time.Time{}, days[:5]...), days[6:]...))
		a := store.Align(short, bars)
		if a.Series.Len != 8 || a.Pos[3] != 5 || a.Halts() != 2 {
			t.Errorf("rows %d, pos %v, halts %d; want 8 rows with bar 3 on row 5", a.Series.Len, a.Pos, a.Halts())
		}
	})
	t.Run("NoHalts", func(t *testing.T) {
		own := make([]time.Time, len(bars))
		for i, b := range bars {
			own[i] = b.Date
		}
		a := store.Align(calendar.New(own), bars)
		if a.Series.Len != len(bars) || a.Halts() != 0 {
			t.Errorf("rows %d, halts %d; want one row per bar", a.Series.Len, a.Halts())
		}
	})
}

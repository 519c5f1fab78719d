package dataset

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    DateRange
		wantErr string
	}{
		{name: "OK", in: "2015-01-01:2021-12-31", want: DateRange{testenv.Date(t, "2015-01-01"), testenv.Date(t, "2021-12-31")}},
		{name: "OneDay", in: "2021-12-31:2021-12-31", want: DateRange{testenv.Date(t, "2021-12-31"), testenv.Date(t, "2021-12-31")}},
		{name: "Spaces", in: " 2015-01-01 : 2021-12-31 ", want: DateRange{testenv.Date(t, "2015-01-01"), testenv.Date(t, "2021-12-31")}},
		{name: "ErrNoColon", in: "2015-01-01", wantErr: `date range "2015-01-01" is not in the form YYYY-MM-DD:YYYY-MM-DD`},
		{name: "ErrBadStart", in: "2015-13-01:2021-12-31", wantErr: `date range "2015-13-01:2021-12-31" has a start that is not a YYYY-MM-DD date`},
		{name: "ErrBadEnd", in: "2015-01-01:2021/12/31", wantErr: `date range "2015-01-01:2021/12/31" has an end that is not a YYYY-MM-DD date`},
		{name: "ErrInverted", in: "2021-12-31:2015-01-01", wantErr: "date range 2021-12-31:2015-01-01 ends before it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if tt.wantErr != "" {
				assertFieldError(t, err, "range", tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ParseRange(%q): %v", tt.in, err)
			}
			if !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
				t.Errorf("ParseRange(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got.String() != tt.want.String() {
				t.Errorf("String() = %q, want %q", got.String(), tt.want.String())
			}
		})
	}
}

func TestParseSegments(t *testing.T) {
	tests := []struct {
		name               string
		train, valid, test string
		field, wantErr     string
	}{
		{name: "OK", train: "2015-01-01:2019-12-31", valid: "2020-01-01:2020-12-31", test: "2021-01-01:2026-06-04"},
		{name: "ErrBadTrain", train: "2015", valid: "2020-01-01:2020-12-31", test: "2021-01-01:2026-06-04",
			field: "train", wantErr: `train window "2015" is not in the form YYYY-MM-DD:YYYY-MM-DD`},
		{name: "ErrInvertedTest", train: "2015-01-01:2019-12-31", valid: "2020-01-01:2020-12-31", test: "2026-01-01:2021-01-01",
			field: "test", wantErr: "test window 2026-01-01:2021-01-01 ends before it starts"},
		{name: "ErrValidOverlapsTrain", train: "2015-01-01:2020-01-01", valid: "2020-01-01:2020-12-31", test: "2021-01-01:2026-06-04",
			field: "valid", wantErr: "valid window 2020-01-01:2020-12-31 must start after the train window 2015-01-01:2020-01-01 ends"},
		{name: "ErrTestBeforeValid", train: "2015-01-01:2019-12-31", valid: "2020-01-01:2020-12-31", test: "2016-01-01:2017-01-01",
			field: "test", wantErr: "test window 2016-01-01:2017-01-01 must start after the valid window 2020-01-01:2020-12-31 ends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSegments(tt.train, tt.valid, tt.test)
			if tt.wantErr != "" {
				assertFieldError(t, err, tt.field, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("ParseSegments: %v", err)
			}
			if got.Train.String() != tt.train || got.Valid.String() != tt.valid || got.Test.String() != tt.test {
				t.Errorf("ParseSegments = %+v", got)
			}
		})
	}
}

func TestSegmentsValidateUnset(t *testing.T) {
	s := Segments{Valid: DateRange{testenv.Date(t, "2020-01-01"), testenv.Date(t, "2020-12-31")}}
	assertFieldError(t, s.Validate(), "train", "train window is not set")
}

// dailyPanel has one instrument with one row per calendar day from
// 2020-01-01 to 2020-01-10, the feature and label both the day of month.
func dailyPanel(t *testing.T) *Panel {
	t.Helper()
	var ds []time.Time
	var vs []float64
	for d := 1; d <= 10; d++ {
		ds = append(ds, time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC))
		vs = append(vs, float64(d))
	}
	return mustBuild(t, []string{"day"}, instrument{"BHP", ds, [][]float64{vs}, vs})
}

func TestSplit(t *testing.T) {
	t.Run("BoundsIncluded", func(t *testing.T) {
		segs, err := ParseSegments("2019-06-01:2020-01-03", "2020-01-04:2020-01-06", "2020-01-07:2020-01-10")
		if err != nil {
			t.Fatal(err)
		}
		train, valid, test, err := Split(dailyPanel(t), segs)
		if err != nil {
			t.Fatalf("Split: %v", err)
		}
		assertDates(t, train, "2020-01-01", "2020-01-02", "2020-01-03")
		assertDates(t, valid, "2020-01-04", "2020-01-05", "2020-01-06")
		assertDates(t, test, "2020-01-07", "2020-01-08", "2020-01-09", "2020-01-10")
		for name, p := range map[string]*Panel{"train": train, "valid": valid, "test": test} {
			for i, r := range p.All() {
				if float64(r.Date.Day()) != r.X[0] || r.X[0] != r.Label {
					t.Errorf("%s row %d = %+v: feature, label and day disagree", name, i, r)
				}
			}
			if start, end := p.DayRows(len(p.Dates) - 1); start != p.Len()-1 || end != p.Len() {
				t.Errorf("%s last day rows = [%d, %d), want [%d, %d)", name, start, end, p.Len()-1, p.Len())
			}
		}
	})

	t.Run("WindowsAreIndependentOfProcessing", func(t *testing.T) {
		segs, err := ParseSegments("2020-01-01:2020-01-03", "2020-01-04:2020-01-06", "2020-01-07:2020-01-10")
		if err != nil {
			t.Fatal(err)
		}
		raw := dailyPanel(t)
		train, _, _, err := Split(raw, segs)
		if err != nil {
			t.Fatal(err)
		}
		_ = CSZScoreNormLabel(train)
		if got := raw.Label(0); got != 1 {
			t.Errorf("processing a window changed its source: label %v, want 1", got)
		}
	})

	t.Run("ErrEmptyWindow", func(t *testing.T) {
		segs, err := ParseSegments("2020-01-01:2020-01-03", "2020-01-04:2020-01-06", "2030-01-01:2031-01-01")
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = Split(dailyPanel(t), segs)
		assertFieldError(t, err, "test",
			"test window 2030-01-01:2031-01-01 holds no data; data runs 2020-01-01 to 2020-01-10")
	})

	t.Run("ErrEmptyDataset", func(t *testing.T) {
		segs, err := ParseSegments("2020-01-01:2020-01-03", "2020-01-04:2020-01-06", "2020-01-07:2020-01-10")
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = Split(NewBuilder([]string{"f"}).Build(), segs)
		assertFieldError(t, err, "train", "train window 2020-01-01:2020-01-03 holds no data; the dataset is empty")
	})

	t.Run("ErrInvalidSegments", func(t *testing.T) {
		_, _, _, err := Split(dailyPanel(t), Segments{})
		assertFieldError(t, err, "train", "train window is not set")
	})
}

func TestDateRangeContains(t *testing.T) {
	r := DateRange{testenv.Date(t, "2020-01-02"), testenv.Date(t, "2020-01-03")}
	sydney := time.FixedZone("AEDT", 11*3600)
	tests := []struct {
		t    time.Time
		want bool
	}{
		{testenv.Date(t, "2020-01-01"), false},
		{testenv.Date(t, "2020-01-02"), true},
		{time.Date(2020, 1, 3, 23, 59, 0, 0, time.UTC), true},
		{time.Date(2020, 1, 4, 0, 30, 0, 0, sydney), false},
		{time.Date(2020, 1, 2, 0, 30, 0, 0, sydney), true},
	}
	for _, tt := range tests {
		if got := r.Contains(tt.t); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

package asxdata

import (
	"strings"
	"testing"
)

func TestReadBars(t *testing.T) {
	tests := []struct {
		name     string
		format   Format
		in       string
		wantBars int
		wantBad  []int // line numbers
		wantErr  bool
	}{
		{"OK", FormatShipped, "Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n2024-01-03,1,2,0.5,1.5,\n", 2, nil, false},
		{"Yahoo", FormatYahoo, "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,100\n", 1, nil, false},
		{"ASXDayFirst", FormatASX, "Date,Open,High,Low,Last,Volume\n02/01/2024,1,2,0.5,1.5,100\n", 1, nil, false},
		{"ErrBadRows", FormatShipped, "Date,Open,High,Low,Close,Volume\n2024-13-02,1,2,0.5,1.5,1\n2024-01-03,x,2,0.5,1.5,1\n2024-01-04,1,0.4,0.5,1.5,1\n2024-01-05,1,2,0.5,1.5,-3\n2024-01-08,1,2,0.5,1.5,1\n2024-01-08,1,2,0.5,1.5,1\n", 1, []int{2, 3, 4, 5, 7}, false},
		{"ErrHeader", FormatShipped, "When,Open,High,Low,Close\n", 0, nil, true},
		{"ErrEmpty", FormatShipped, "", 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bars, bad, err := ReadBars(strings.NewReader(tt.in), "TST", tt.format)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if len(bars) != tt.wantBars {
				t.Errorf("bars = %d, want %d", len(bars), tt.wantBars)
			}
			var lines []int
			for _, b := range bad {
				lines = append(lines, b.Line)
			}
			if len(lines) != len(tt.wantBad) {
				t.Fatalf("bad lines = %v (%v), want %v", lines, bad, tt.wantBad)
			}
			for i := range lines {
				if lines[i] != tt.wantBad[i] {
					t.Errorf("bad lines = %v, want %v", lines, tt.wantBad)
				}
			}
		})
	}
}

func TestTitleName(t *testing.T) {
	for in, want := range map[string]string{
		"COMMONWEALTH BANK OF AUSTRALIA": "Commonwealth Bank of Australia",
		"BHP GROUP LTD":                  "BHP Group Ltd",
		"THE A2 MILK COMPANY LIMITED":    "The A2 Milk Company Limited",
	} {
		if got := titleName(in); got != want {
			t.Errorf("titleName(%q) = %q, want %q", in, got, want)
		}
	}
}

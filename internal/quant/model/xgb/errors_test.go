package xgb

import "testing"

func TestCleanError(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"TimestampAndSource",
			"[10:21:03] ../src/learner.cc:767: Invalid Input: 'bogus', valid values are: {'approx', 'hist'}\nStack trace:\n  [bt] (0) libxgboost.so",
			"Invalid Input: 'bogus', valid values are: {'approx', 'hist'}"},
		{"SourceOnly", "/build/src/objective/objective.cc:26: Unknown objective function: `reg:bogus`", "Unknown objective function: `reg:bogus`"},
		{"Plain", "something failed", "something failed"},
		{"Empty", "", "xgboost failed without a message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanError(tt.in); got != tt.want {
				t.Errorf("cleanError(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseEval(t *testing.T) {
	line := "[3]\ttrain-rmse:0.51234\tvalid-rmse:0.55"
	tests := []struct {
		metric  string
		want    float64
		wantErr bool
	}{
		{"train-rmse", 0.51234, false},
		{"valid-rmse", 0.55, false},
		{"valid-mae", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			got, err := parseEval(line, tt.metric)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseEval(%q) = %v, %v; want %v, error %v", tt.metric, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

package xgb

import (
	"math"
	"strconv"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Params configures XGBoost training. JSON names are XGBoost's own, so a
// Qlib workflow config's kwargs can be pasted in.
type Params struct {
	Objective       string  `json:"objective"`
	TreeMethod      string  `json:"tree_method"`
	MaxDepth        int     `json:"max_depth"`
	Eta             float64 `json:"eta"`
	Subsample       float64 `json:"subsample"`
	ColsampleByTree float64 `json:"colsample_bytree"`
	Lambda          float64 `json:"lambda"` // L2 penalty on leaf weights
	Alpha           float64 `json:"alpha"`  // L1 penalty on leaf weights
	MinChildWeight  float64 `json:"min_child_weight"`
	MaxBin          int     `json:"max_bin"`
	// NumRounds is the most boosting rounds to run.
	NumRounds int `json:"num_boost_round"`
	// EarlyStoppingRounds stops training after this many rounds without a
	// better validation RMSE; 0 runs every round.
	EarlyStoppingRounds int `json:"early_stopping_rounds"`
	// NThread is the number of OpenMP threads; 0 uses every core.
	NThread int `json:"nthread"`
	Seed    int `json:"seed"`
}

// DefaultParams returns Qlib's XGBoost settings for Alpha158
// (workflow_config_xgboost_Alpha158.yaml and XGBModel.fit defaults) with the
// hist tree method.
func DefaultParams() Params {
	return Params{
		Objective:           "reg:squarederror",
		TreeMethod:          "hist",
		MaxDepth:            8,
		Eta:                 0.0421,
		Subsample:           0.8789,
		ColsampleByTree:     0.8879,
		Lambda:              1,
		Alpha:               0,
		MinChildWeight:      1,
		MaxBin:              256,
		NumRounds:           1000,
		EarlyStoppingRounds: 50,
	}
}

// Validate checks the ranges XGBoost would otherwise reject mid-training with
// a less helpful message. Names XGBoost alone knows (objective, tree method)
// are left to it; Fit reports its complaint as an Invalid error.
func (p Params) Validate() error {
	checks := []struct {
		field string
		ok    bool
		msg   string
	}{
		{"objective", p.Objective != "", "is required"},
		{"tree_method", p.TreeMethod != "", "is required"},
		{"max_depth", p.MaxDepth >= 0 && p.MaxDepth <= 30, "must be between 0 and 30"},
		{"eta", finite(p.Eta) && p.Eta > 0 && p.Eta <= 1, "must be in (0, 1]"},
		{"subsample", finite(p.Subsample) && p.Subsample > 0 && p.Subsample <= 1, "must be in (0, 1]"},
		{"colsample_bytree", finite(p.ColsampleByTree) && p.ColsampleByTree > 0 && p.ColsampleByTree <= 1, "must be in (0, 1]"},
		{"lambda", finite(p.Lambda) && p.Lambda >= 0, "must be ≥ 0"},
		{"alpha", finite(p.Alpha) && p.Alpha >= 0, "must be ≥ 0"},
		{"min_child_weight", finite(p.MinChildWeight) && p.MinChildWeight >= 0, "must be ≥ 0"},
		{"max_bin", p.MaxBin >= 2 && p.MaxBin <= 65536, "must be between 2 and 65536"},
		{"num_boost_round", p.NumRounds >= 1 && p.NumRounds <= 100_000, "must be between 1 and 100000"},
		{"early_stopping_rounds", p.EarlyStoppingRounds >= 0, "must be ≥ 0"},
		{"nthread", p.NThread >= 0, "must be ≥ 0 (0 uses every core)"},
	}
	for _, c := range checks {
		if !c.ok {
			return apperr.FieldError(c.field, "xgboost %s %s", c.field, c.msg)
		}
	}
	return nil
}

// booster returns the parameters passed to XGBoosterSetParam, in order.
func (p Params) booster() [][2]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	kv := [][2]string{
		{"objective", p.Objective},
		{"tree_method", p.TreeMethod},
		{"eval_metric", "rmse"},
		{"max_depth", strconv.Itoa(p.MaxDepth)},
		{"eta", f(p.Eta)},
		{"subsample", f(p.Subsample)},
		{"colsample_bytree", f(p.ColsampleByTree)},
		{"lambda", f(p.Lambda)},
		{"alpha", f(p.Alpha)},
		{"min_child_weight", f(p.MinChildWeight)},
		{"max_bin", strconv.Itoa(p.MaxBin)},
		{"seed", strconv.Itoa(p.Seed)},
		{"verbosity", "0"},
	}
	if p.NThread > 0 {
		kv = append(kv, [2]string{"nthread", strconv.Itoa(p.NThread)})
	}
	return kv
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

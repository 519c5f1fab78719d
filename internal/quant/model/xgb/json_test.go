package xgb

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
)

// pythonStyleJSON returns m as the JSON a plain xgb.train(...).save_model
// writes: no feature names and none of Qlib Pro's attributes.
func pythonStyleJSON(t *testing.T, m *Model) []byte {
	t.Helper()
	raw, err := saveModel(m.b.h, "json")
	if err != nil {
		t.Fatalf("save as JSON: %v", err)
	}
	// UseNumber keeps "1.0" a float: XGBoost's JSON reader is strict about types.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	learner := doc["learner"].(map[string]any)
	learner["attributes"] = map[string]any{}
	learner["feature_names"] = []any{}
	learner["feature_types"] = []any{}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadForeignJSON(t *testing.T) {
	p := DefaultParams()
	p.NumRounds, p.MaxDepth, p.Eta, p.NThread = 40, 3, 0.3, 2
	m, err := New(modeltest.Names(3), p)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Fit(context.Background(), modeltest.Linear(1000, 3, 0.1, 1), model.Matrix{}, nil); err != nil {
		t.Fatal(err)
	}
	blob := pythonStyleJSON(t, m)

	// Without names in the file only the count can be checked.
	if _, err := Load(blob, []string{"a", "b"}); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "reads 3 features, the list has 2") {
		t.Errorf("Load with 2 names = %v, want a count mismatch", err)
	}
	loaded, err := Load(blob, []string{"KMID", "KLEN", "ROC5"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	defer loaded.Close()
	x := modeltest.Linear(50, 3, 0, 2)
	want, _ := m.Predict(x)
	got, err := loaded.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
	md := loaded.Metadata()
	if _, ok := md["params"]; ok {
		t.Errorf("Metadata of a foreign model claims params %v", md["params"])
	}
	if imp := loaded.FeatureImportance(); imp[0].Feature != "KMID" || imp[0].Gain == 0 {
		t.Errorf("FeatureImportance = %+v, want KMID (column 0) first", imp)
	}
}

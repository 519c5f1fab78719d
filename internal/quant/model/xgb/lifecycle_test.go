package xgb_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/xgb"
)

func TestClose(t *testing.T) {
	p := fastParams()
	p.NumRounds = 3
	m := mustFit(t, p, modeltest.Linear(200, 3, 0.1, 21), model.Matrix{})
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.Predict(modeltest.Linear(1, 3, 0, 1)); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Predict after Close = %v, want Invalid closed", err)
	}
	if _, err := m.Save(); err == nil {
		t.Error("Save after Close succeeded, want an error")
	}
}

func TestConcurrentPredict(t *testing.T) {
	m := mustFit(t, fastParams(), modeltest.Linear(3000, 8, 0.2, 22), modeltest.Linear(500, 8, 0.2, 23))
	days := make([]model.Matrix, 4)
	wants := make([][]float64, len(days))
	for i := range days {
		days[i] = modeltest.WithMissing(modeltest.Linear(200, 8, 0, uint64(30+i)), 0.05, uint64(40+i))
		wants[i] = mustPredict(t, m, days[i])
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 25 {
				d := (g + k) % len(days)
				got, err := m.Predict(days[d])
				if err != nil {
					t.Errorf("Predict: %v", err)
					return
				}
				for i := range got {
					if got[i] != wants[d][i] {
						t.Errorf("goroutine %d day %d row %d = %v, want %v", g, d, i, got[i], wants[d][i])
						return
					}
				}
			}
		})
	}
	// Metadata and Save take the model exclusively while predictions run.
	wg.Go(func() {
		for range 5 {
			if _, err := m.Save(); err != nil {
				t.Errorf("Save: %v", err)
			}
			_ = m.Metadata()
		}
	})
	wg.Wait()
}

func TestDroppedModelIsCleanedUp(t *testing.T) {
	// A model dropped without Close is freed by its cleanup; run it under the
	// race detector to check that the cleanup and the last use are ordered.
	p := fastParams()
	p.NumRounds = 3
	for i := range 3 {
		m, err := xgb.New(modeltest.Names(2), p)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Fit(context.Background(), modeltest.Linear(100, 2, 0.1, uint64(i)), model.Matrix{}, nil); err != nil {
			t.Fatal(err)
		}
		mustPredict(t, m, modeltest.Linear(5, 2, 0, 1))
	}
	runtime.GC()
	runtime.GC()
}

package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river/rivertype"

	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// TestWorkMetrics: each worked job counts once, by kind and result, and the
// job's error passes through.
func TestWorkMetrics(t *testing.T) {
	m := telemetry.New()
	w := &workMetrics{worked: m.JobsWorked}
	job := &rivertype.JobRow{Kind: "score"}
	boom := errors.New("boom")
	for _, err := range []error{nil, boom, boom} {
		if got := w.Work(context.Background(), job, func(context.Context) error { return err }); got != err {
			t.Fatalf("Work returned %v, want %v", got, err)
		}
	}
	for result, want := range map[string]float64{"completed": 1, "failed": 2} {
		if got := counterValue(t, m.JobsWorked.WithLabelValues("score", result)); got != want {
			t.Errorf("%s = %v, want %v", result, got, want)
		}
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var out dto.Metric
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetCounter().GetValue()
}

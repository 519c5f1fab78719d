package jobs

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// workMetrics counts every job worked by kind and result
// (jobs_worked_total{kind,result}: completed or failed; a panic is a
// failure), for the job-failure alert.
type workMetrics struct {
	river.MiddlewareDefaults
	worked *prometheus.CounterVec
}

// Work runs the job and counts its result.
func (m *workMetrics) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	result := "failed"
	defer func() { m.worked.WithLabelValues(job.Kind, result).Inc() }()
	if err = doInner(ctx); err == nil {
		result = "completed"
	}
	return err
}

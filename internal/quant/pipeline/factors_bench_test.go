package pipeline_test

import (
	"io"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// BenchmarkStreamFactorsUniverse is `qlibpro factors --set alpha158 --all`
// without the process: every equity of the seed data (194 codes, every
// year, 158 features) read from PostgreSQL, laid on the market calendar,
// evaluated and written to io.Discard, in each format. Qlib's D.features
// took 17.4 s for the same universe (issue 11).
func BenchmarkStreamFactorsUniverse(b *testing.B) {
	pool := testdb.New(b)
	for _, format := range []struct {
		name string
		f    pipeline.Format
	}{{"npy", pipeline.NPY}, {"csv", pipeline.CSV}} {
		b.Run(format.name, func(b *testing.B) {
			var st pipeline.StreamStats
			for b.Loop() {
				var err error
				q := pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158"}, All: true, Format: format.f}
				if st, err = pipeline.StreamFactors(b.Context(), pool, q, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Instruments), "instruments")
			b.ReportMetric(float64(st.Rows), "rows")
			b.ReportMetric(float64(st.Bytes)/1e6, "MB")
		})
	}
}

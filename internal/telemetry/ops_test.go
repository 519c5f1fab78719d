package telemetry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// TestReadinessMetrics: app_ready is 1 only when every check passes, and each
// check has its own series.
func TestReadinessMetrics(t *testing.T) {
	for _, tc := range []struct {
		name   string
		checks map[string]bool
		want   []string
	}{
		{"OK", map[string]bool{"postgres": true, "redis": true, "migrations": true},
			[]string{"app_ready 1", "app_ready_check{migrations} 1", "app_ready_check{postgres} 1", "app_ready_check{redis} 1"}},
		{"RedisDown", map[string]bool{"postgres": true, "redis": false, "migrations": true},
			[]string{"app_ready 0", "app_ready_check{migrations} 1", "app_ready_check{postgres} 1", "app_ready_check{redis} 0"}},
		{"NoChecks", map[string]bool{}, []string{"app_ready 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := telemetry.New()
			m.WatchReadiness(func(context.Context) map[string]bool { return tc.checks })
			if got := series(t, m, "app_ready", "app_ready_check"); !slices.Equal(got, tc.want) {
				t.Errorf("series %q, want %q", got, tc.want)
			}
		})
	}
}

// series gathers the named metrics as "name{label values} value" lines.
func series(t *testing.T, m *telemetry.Metrics, names ...string) []string {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		if !slices.Contains(names, f.GetName()) {
			continue
		}
		for _, s := range f.GetMetric() {
			name := f.GetName()
			for i, l := range s.GetLabel() {
				if i == 0 {
					name += "{" + l.GetValue()
				} else {
					name += "," + l.GetValue()
				}
			}
			if len(s.GetLabel()) > 0 {
				name += "}"
			}
			out = append(out, fmt.Sprintf("%s %g", name, s.GetGauge().GetValue()+s.GetCounter().GetValue()))
		}
	}
	return out
}

package handlers

import (
	"encoding/json"
	"math"

	"github.com/qlibpro/qlibpro/views/pages"
)

// Chart data for the pages' small charts (lightweight-charts lines and
// server-drawn bars).

// point is one point of a line chart (lightweight-charts' {time, value}).
type point struct {
	Time  string  `json:"time"`
	Value float64 `json:"value"`
}

func pointsJSON(p []point) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// bars scales values for a horizontal bar chart.
func bars(values []float64, label func(int) string, format func(float64) string) []pages.BarRow {
	top := 0.0
	for _, v := range values {
		if !math.IsNaN(v) {
			top = math.Max(top, math.Abs(v))
		}
	}
	out := make([]pages.BarRow, len(values))
	for i, v := range values {
		f := 0.0
		if top > 0 && !math.IsNaN(v) {
			f = math.Abs(v) / top
		}
		out[i] = pages.BarRow{Label: label(i), Value: format(v), Fraction: f, Negative: v < 0}
	}
	return out
}

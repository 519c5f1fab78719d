package e2e

import "github.com/qlibpro/qlibpro/views/display"

func formatIndex(v float64) string { return display.Index(v) }

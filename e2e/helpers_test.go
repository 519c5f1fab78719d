package e2e

import (
	"context"

	"github.com/qlibpro/qlibpro/views/display"
)

type contextT = context.Context

func formatIndex(v float64) string { return display.Index(v) }

package handlers_test

import (
	"net/http/httptest"

	"github.com/qlibpro/qlibpro/views/display"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func formatIndex(v float64) string { return display.Index(v) }

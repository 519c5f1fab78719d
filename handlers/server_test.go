package handlers_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// mustApp builds the application on a fresh seeded database and real Redis.
func mustApp(t *testing.T, env map[string]string) *testapp.App {
	t.Helper()
	return testapp.New(t, env)
}

func mustContain(t *testing.T, body, want string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Errorf("body does not contain %q; body starts: %.400s", want, body)
	}
}

func mustStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body: %.500s", rec.Code, want, rec.Body.String())
	}
}

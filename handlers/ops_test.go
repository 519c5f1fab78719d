package handlers_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

func TestHealth(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "GET", "/api/health", nil, nil)
	mustStatus(t, rec, http.StatusOK)
	checkContains(t, rec.Body.String(), `"status":"ok"`)
}

func TestReady(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a := testapp.New(t, nil)
		rec := a.Do(t, "GET", "/api/ready", nil, nil)
		mustStatus(t, rec, http.StatusOK)
		var body struct {
			Status string
			Checks map[string]string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		for _, dep := range []string{"postgres", "redis", "migrations"} {
			if body.Checks[dep] != "ok" {
				t.Errorf("check %s = %q, want ok", dep, body.Checks[dep])
			}
		}
	})
	t.Run("ErrRedisDown", func(t *testing.T) {
		// A port nothing listens on: bind one, then close it.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		// The process starts with Redis up (serve refuses to start without it);
		// here it is gone afterwards: the app is built with a fixed clock so
		// that nothing at start-up needs Redis.
		a := testapp.NewWithClock(t, map[string]string{"REDIS_URL": "redis://" + addr + "/0"}, provider.RealClock{})
		rec := a.Do(t, "GET", "/api/ready", nil, nil)
		mustStatus(t, rec, http.StatusServiceUnavailable)
		var body struct {
			Status  string
			Failing []string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if body.Status != "unavailable" || len(body.Failing) != 1 || body.Failing[0] != "redis" {
			t.Errorf("got status %q failing %v, want unavailable [redis]", body.Status, body.Failing)
		}
	})
	t.Run("ErrMigrationsPending", func(t *testing.T) {
		a := testapp.New(t, nil)
		if _, err := a.Pool.Exec(t.Context(), "DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)"); err != nil {
			t.Fatal(err)
		}
		rec := a.Do(t, "GET", "/api/ready", nil, nil)
		mustStatus(t, rec, http.StatusServiceUnavailable)
		checkContains(t, rec.Body.String(), `"failing":["migrations"]`)
	})
}

func TestDBHealth(t *testing.T) {
	const token = "0123456789abcdef0123"
	a := testapp.New(t, map[string]string{"METRICS_TOKEN": token})
	type health struct {
		Status        string
		RoundTripMS   float64 `json:"round_trip_ms"`
		ServerVersion string  `json:"server_version"`
		Pool          *struct{ Max int32 }
	}
	get := func(header map[string]string) health {
		rec := a.Do(t, "GET", "/api/db/health", nil, header)
		mustStatus(t, rec, http.StatusOK)
		var body health
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body
	}
	t.Run("OperatorSeesVersionAndPool", func(t *testing.T) {
		body := get(map[string]string{"Authorization": "Bearer " + token})
		if body.Status != "ok" || !strings.HasPrefix(body.ServerVersion, "1") || body.Pool == nil || body.Pool.Max < 1 {
			t.Errorf("got %+v", body)
		}
	})
	t.Run("AnonymousSeesNoComponentVersions", func(t *testing.T) {
		body := get(nil)
		if body.Status != "ok" || body.ServerVersion != "" || body.Pool != nil {
			t.Errorf("got %+v", body)
		}
	})
}

func TestVersion(t *testing.T) {
	const token = "0123456789abcdef0123"
	a := testapp.New(t, map[string]string{"FLY_REGION": "syd", "METRICS_TOKEN": token})
	get := func(header map[string]string) map[string]string {
		rec := a.Do(t, "GET", "/api/version", nil, header)
		mustStatus(t, rec, http.StatusOK)
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body
	}
	want := buildinfo.Get()
	t.Run("Operator", func(t *testing.T) {
		body := get(map[string]string{"Authorization": "Bearer " + token})
		if body["version"] != want.Version || body["commit"] != want.Commit || body["go_version"] != want.GoVersion ||
			body["build_time"] != want.BuildTime || body["region"] != "syd" {
			t.Errorf("got %v", body)
		}
	})
	t.Run("Anonymous", func(t *testing.T) {
		body := get(nil)
		if body["version"] != want.Version || body["region"] != "syd" || len(body) != 2 {
			t.Errorf("got %v, want only the version and region", body)
		}
	})
}

func TestMetrics(t *testing.T) {
	const token = "0123456789abcdef0123"
	a := testapp.New(t, map[string]string{"METRICS_TOKEN": token})
	mustStatus(t, a.Do(t, "GET", "/api/health", nil, nil), http.StatusOK)
	mustStatus(t, a.Do(t, "GET", "/", nil, nil), http.StatusOK)

	t.Run("ErrNoToken", func(t *testing.T) {
		rec := a.Do(t, "GET", "/metrics", nil, nil)
		mustStatus(t, rec, http.StatusUnauthorized)
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		rec := a.Do(t, "GET", "/metrics", nil, map[string]string{"Authorization": "Bearer nope"})
		mustStatus(t, rec, http.StatusUnauthorized)
	})
	t.Run("OK", func(t *testing.T) {
		rec := a.Do(t, "GET", "/metrics", nil, map[string]string{"Authorization": "Bearer " + token})
		mustStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		for _, want := range []string{
			`api_request_duration_seconds_count{method="GET",route="/api/health",status="200"} 1`,
			`api_request_duration_seconds_count{method="GET",route="/",status="200"} 1`,
			"database_connections_active ",
			"go_goroutines ",
			"process_cpu_seconds_total ",
			`user_logins_total{result="success"} 0`,
		} {
			checkContains(t, body, want)
		}
	})
	t.Run("ErrNotLoopbackWithoutToken", func(t *testing.T) {
		b := testapp.New(t, nil)
		rec := b.Do(t, "GET", "/metrics", nil, nil) // httptest's client is 192.0.2.1
		mustStatus(t, rec, http.StatusForbidden)
	})
}

func TestRequestID(t *testing.T) {
	a := testapp.New(t, nil)
	t.Run("Honoured", func(t *testing.T) {
		rec := a.Do(t, "GET", "/api/health", nil, map[string]string{"X-Request-ID": "abc-123.x_y"})
		if got := rec.Header().Get("X-Request-ID"); got != "abc-123.x_y" {
			t.Errorf("X-Request-ID = %q, want abc-123.x_y", got)
		}
	})
	t.Run("Generated", func(t *testing.T) {
		rec := a.Do(t, "GET", "/api/health", nil, nil)
		if got := rec.Header().Get("X-Request-ID"); len(got) != 24 {
			t.Errorf("X-Request-ID = %q, want 24 hex characters", got)
		}
	})
	t.Run("ReplacedWhenMalformed", func(t *testing.T) {
		rec := a.Do(t, "GET", "/api/health", nil, map[string]string{"X-Request-ID": "bad id\"<script>"})
		if got := rec.Header().Get("X-Request-ID"); strings.ContainsAny(got, " <\"") || got == "" {
			t.Errorf("X-Request-ID = %q, want a generated id", got)
		}
	})
}

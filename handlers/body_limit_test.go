package handlers_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// sendChunked posts body to the served app as Transfer-Encoding: chunked,
// without a Content-Length, on a raw connection (so that nothing between
// the test and the server adds a length), and returns the response. The
// server may answer before it has read everything, so write errors after
// the answer are expected and ignored.
func sendChunked(t *testing.T, addr, path, contentType, body string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() {
		w := bufio.NewWriter(conn)
		fmt.Fprintf(w, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\nAccept: application/json\r\n\r\n", path, contentType)
		for len(body) > 0 {
			n := min(len(body), 8<<10)
			fmt.Fprintf(w, "%x\r\n%s\r\n", n, body[:n])
			body = body[n:]
		}
		fmt.Fprint(w, "0\r\n\r\n")
		_ = w.Flush()
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	_, _ = bufio.NewReader(res.Body).WriteTo(&sb)
	return res, sb.String()
}

// TestChunkedBodiesOverTheLimitAre413: a body with no Content-Length shows
// it is too large only while it is read; JSON and form bodies alike get 413
// with a message that says so, not a 400 "could not be read".
func TestChunkedBodiesOverTheLimitAre413(t *testing.T) {
	app := testapp.New(t, map[string]string{"BODY_LIMIT": "64K"})
	srv := app.Serve(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	big := strings.Repeat("x", 200<<10)
	tests := []struct {
		name, path, contentType, body string
	}{
		{"JSON", "/api/v1/auth/login", "application/json", `{"email":"a@example.com","password":"` + big + `"}`},
		{"form", "/signin", "application/x-www-form-urlencoded", url.Values{"email": {"a@example.com"}, "password": {big}}.Encode()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := sendChunked(t, addr, tt.path, tt.contentType, tt.body)
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %.300s", res.StatusCode, body)
			}
			if !strings.Contains(body, "too large") {
				t.Errorf("body %.300s does not say the request is too large", body)
			}
		})
	}
	t.Run("under the limit", func(t *testing.T) {
		res, body := sendChunked(t, addr, "/api/v1/auth/login", "application/json", `{"email":"nobody@example.com","password":"wrong password 1234"}`)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401 (read and checked): %.300s", res.StatusCode, body)
		}
	})
}

package handlers_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// BenchmarkStreamMemory opens streams against the served app and reports
// the Go memory (heap in use plus goroutine stacks) each open stream costs
// the process: the server's connection, handler, hub subscription and
// stream slot. The clients are bare sockets, so nearly all of it is the
// server's. N streams per run: -benchtime=2000x.
//
//	go test -run '^$' -bench StreamMemory -benchtime 2000x ./handlers/
func BenchmarkStreamMemory(b *testing.B) {
	for _, kind := range []string{"json", "html"} {
		b.Run(kind, func(b *testing.B) {
			app := testapp.New(b, map[string]string{"STREAMS_PER_OWNER": "1000000", "STREAMS_PER_MACHINE": "1000000", "API_RATE_BURST": "1000000", "API_RATE_LIMIT": "1000000"})
			srv := app.Serve(b)
			cred := benchCredentials(b, app, srv.URL, kind)
			host := strings.TrimPrefix(srv.URL, "http://")
			path := "/api/v1/stream/quotes?symbols=BHP,CBA,CSL,NAB,WBC"
			if kind == "html" {
				path = "/stream/quotes?codes=BHP,CBA,CSL,NAB,WBC"
			}
			var conns []net.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			before := inUse()
			b.ResetTimer()
			for range b.N {
				c, err := net.Dial("tcp", host)
				if err != nil {
					b.Fatal(err)
				}
				conns = append(conns, c)
				if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + cred + "\r\n\r\n")); err != nil {
					b.Fatal(err)
				}
				r := bufio.NewReaderSize(c, 64)
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				line, err := r.ReadString('\n')
				if err != nil || !strings.Contains(line, "200") {
					b.Fatalf("stream %d: %q %v", len(conns), line, err)
				}
			}
			b.StopTimer()
			time.Sleep(500 * time.Millisecond) // let every handler reach its loop
			after := inUse()
			b.ReportMetric(float64(after-before)/float64(b.N), "B/stream")
		})
	}
}

// inUse is the process's heap in use plus goroutine stacks, after a GC.
func inUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// benchCredentials creates a user and returns, for "json", the header of an
// API login token and, for "html", the header of a signed-in session.
func benchCredentials(b *testing.B, app *testapp.App, base, kind string) string {
	b.Helper()
	const email, password = "bench@example.com", "bench streams passphrase 42"
	if _, err := app.Users.FindUser(b.Context(), email); err != nil {
		if _, err := app.Users.CreateUser(b.Context(), auth.Registration{Email: email, Name: "Bench", Password: password},
			auth.RoleTrader, 0, auth.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
	if kind == "json" {
		tok, _, err := app.Users.LoginToken(b.Context(), email, password, auth.Meta{IP: "192.0.2.9"})
		if err != nil {
			b.Fatal(err)
		}
		return "Authorization: Bearer " + tok
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/signin")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on /signin")
	}
	res, err = c.PostForm(base+"/signin", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

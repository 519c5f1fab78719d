package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestPreviousReleaseRunsOnTheCurrentSchema: the migrations policy
// (expand/contract, docs/operations.md) says a release's migrations keep the
// release before working, so that a deploy can be rolled back without
// touching the schema. The previous commit's binary is built and served
// against a database migrated by this commit, and its pages and API answer.
func TestPreviousReleaseRunsOnTheCurrentSchema(t *testing.T) {
	root := testenv.RepoRoot(t)
	prev, err := exec.Command("git", "-C", root, "rev-parse", "--verify", "-q", "HEAD~1").Output()
	if err != nil {
		t.Skip("this checkout has no parent commit (a shallow clone): nothing to compare with")
	}
	commit := strings.TrimSpace(string(prev))
	src := t.TempDir()
	archive := exec.Command("sh", "-c", "git -C "+root+" archive "+commit+" | tar -x -C "+src)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", commit, err, out)
	}
	bin := filepath.Join(t.TempDir(), "qlibpro-prev")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/qlibpro")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", commit, err, out)
	}

	pool := testdb.New(t) // this commit's migrations and seed
	_, prefix := testenv.Redis(t)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	serve := exec.CommandContext(ctx, bin, "serve")
	serve.Env = append(os.Environ(), "DATABASE_URL="+testenv.URLOf(t, pool), "REDIS_URL="+testenv.RedisURL(),
		"REDIS_PREFIX="+prefix, "PORT="+strconv.Itoa(port), "ENVIRONMENT=test", "FEED_ENABLED=false", "JOBS_ENABLED=false",
		"DATA_DIR="+filepath.Join(root, "data", "asx"))
	logs, _ := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	serve.Stdout, serve.Stderr = logs, logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = serve.Wait()
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if res, err := http.Get(base + "/api/health"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logs.Name())
			t.Fatalf("the previous release (%s) did not start on the current schema:\n%s", commit[:8], out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The old code writes to the new schema too: an account, then its
	// default paper account through the API.
	create := exec.Command(bin, "user", "create", "--email", "compat@example.com", "--name", "Compat", "--generate")
	create.Env = serve.Env
	out, err := create.CombinedOutput()
	password := ""
	if _, after, ok := strings.Cut(string(out), "password (shown once): "); ok {
		password = strings.TrimSpace(after)
	}
	if err != nil || password == "" {
		t.Fatalf("previous release's user create: %v\n%s", err, out)
	}
	token := apiLogin(t, base, "compat@example.com", password)
	for _, p := range []string{"/api/v1/portfolio", "/api/v1/quotes?symbols=BHP", "/api/v1/orders", "/api/v1/watchlists"} {
		req, _ := http.NewRequest("GET", base+p, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("previous release %s: GET %s = %d: %.300s", commit[:8], p, res.StatusCode, body)
		}
	}
	for _, p := range []string{"/api/ready", "/", "/overview?sector=Energy", "/signin"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			out, _ := os.ReadFile(logs.Name())
			t.Errorf("previous release %s: GET %s = %d: %.300s\nserver log:\n%.2000s", commit[:8], p, res.StatusCode, body, out)
		}
	}
}

// apiLogin signs in over the JSON API and returns the bearer token.
func apiLogin(t *testing.T, base, email, password string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK || out.AccessToken == "" {
		t.Fatalf("API login: %d %v", res.StatusCode, err)
	}
	return out.AccessToken
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

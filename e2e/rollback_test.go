package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// fakeFly is a stand-in for flyctl on PATH (Fly itself cannot be reached
// from here): `releases --json` prints releases, `deploy --image IMG` makes
// the fake app report IMG's tag at /api/version; every call is logged.
type fakeFly struct {
	dir, log, version string
	url               string
}

func newFakeFly(t *testing.T, releases string) *fakeFly {
	t.Helper()
	dir := t.TempDir()
	f := &fakeFly{dir: dir, log: filepath.Join(dir, "calls"), version: filepath.Join(dir, "version")}
	must(t, os.WriteFile(f.version, []byte("v3"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "releases.json"), []byte(releases), 0o644))
	script := `#!/usr/bin/env bash
echo "$*" >> ` + f.log + `
case "$1" in
  releases) cat ` + filepath.Join(dir, "releases.json") + ` ;;
  deploy) for a in "$@"; do [ "$prev" = "--image" ] && echo -n "${a##*:}" > ` + f.version + `; prev="$a"; done ;;
  *) exit 9 ;;
esac
`
	must(t, os.WriteFile(filepath.Join(dir, "flyctl"), []byte(script), 0o755))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := os.ReadFile(f.version)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":"` + string(v) + `","region":"syd"}`))
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fakeFly) rollback(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{testenv.RepoRoot(t) + "/scripts/rollback.sh"}, args...)...)
	cmd.Env = append(cmd.Environ(), "PATH="+f.dir+":"+os.Getenv("PATH"), "APP=qlibpro-test", "ROLLBACK_URL="+f.url, "ROLLBACK_TIMEOUT=5")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

const fakeReleases = `[
 {"Version": 3, "Status": "complete", "ImageRef": "ghcr.io/q/qlibpro:v3"},
 {"Version": 2, "Status": "failed", "ImageRef": "ghcr.io/q/qlibpro:v2bad"},
 {"Version": 1, "Status": "complete", "ImageRef": "ghcr.io/q/qlibpro:v1"}
]`

// TestRollbackScript: scripts/rollback.sh finds the release before the
// current one (skipping failed releases), redeploys its image and waits
// until /api/version reports it; a named release, a missing release and an
// app that never reports the version are handled.
func TestRollbackScript(t *testing.T) {
	t.Run("OKPrevious", func(t *testing.T) {
		f := newFakeFly(t, fakeReleases)
		out, err := f.rollback(t)
		if err != nil || !strings.Contains(out, "qlibpro-test reports version v1") {
			t.Fatalf("%v\n%s", err, out)
		}
		calls, _ := os.ReadFile(f.log)
		if !strings.Contains(string(calls), "deploy --app qlibpro-test --image ghcr.io/q/qlibpro:v1 --strategy bluegreen") {
			t.Errorf("flyctl calls:\n%s", calls)
		}
	})
	t.Run("OKNamedRelease", func(t *testing.T) {
		f := newFakeFly(t, fakeReleases)
		if out, err := f.rollback(t, "v1"); err != nil || !strings.Contains(out, "reports version v1") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrFailedRelease", func(t *testing.T) {
		f := newFakeFly(t, fakeReleases)
		if out, err := f.rollback(t, "v2"); err == nil || !strings.Contains(out, "release v2 of qlibpro-test is not a complete release") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrNothingEarlier", func(t *testing.T) {
		f := newFakeFly(t, `[{"Version": 1, "Status": "complete", "ImageRef": "ghcr.io/q/qlibpro:v1"}]`)
		if out, err := f.rollback(t); err == nil || !strings.Contains(out, "no earlier complete release") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrVersionNeverShows", func(t *testing.T) {
		f := newFakeFly(t, fakeReleases)
		// An image whose app reports something else: the fake writes the tag,
		// so name one whose tag differs from what the app will say.
		must(t, os.WriteFile(filepath.Join(f.dir, "flyctl"), []byte("#!/usr/bin/env bash\ncase \"$1\" in releases) cat "+
			filepath.Join(f.dir, "releases.json")+";; deploy) ;; esac\n"), 0o755))
		if out, err := f.rollback(t); err == nil || !strings.Contains(out, "reports 'v3' after 5s, want v1") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
}

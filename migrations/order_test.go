package migrations_test

import (
	"os/exec"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// TestNewVersionsAreAboveThePreviousCommit: goose applies migrations in
// order and refuses one below a database's current version, so a migration
// added with a lower number than one already there would never reach a
// deployed database. Every SQL migration this commit adds must be numbered
// above every migration of the previous commit.
func TestNewVersionsAreAboveThePreviousCommit(t *testing.T) {
	root := testenv.RepoRoot(t)
	if _, err := exec.Command("git", "-C", root, "rev-parse", "--verify", "-q", "HEAD~1").Output(); err != nil {
		t.Skip("this checkout has no parent commit (a shallow clone): nothing to compare with")
	}
	before := versions(t, root, "HEAD~1")
	now := versions(t, root, "HEAD")
	highest := int64(0)
	for v := range before {
		highest = max(highest, v)
	}
	for v, name := range now {
		if _, ok := before[v]; !ok && v < highest {
			t.Errorf("%s is new but numbered below %d, the previous commit's highest migration: renumber it above", name, highest)
		}
	}
}

// versions lists the SQL migrations of a commit by version.
func versions(t *testing.T, root, commit string) map[int64]string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-tree", "--name-only", commit, "migrations/").Output()
	if err != nil {
		t.Fatalf("git ls-tree %s: %v", commit, err)
	}
	vs := map[int64]string{}
	for _, f := range strings.Fields(string(out)) {
		name := path.Base(f)
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("%s: version %q: %v", name, num, err)
		}
		vs[v] = name
	}
	return vs
}

package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// TestMigrateDownTo: down-to rolls back every migration above the version
// and up applies them again; a version above the schema's or not a number
// is a usage error (exit 2).
func TestMigrateDownTo(t *testing.T) {
	url := testenv.EmptyDBURL(t)
	migrate := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		err := run(t.Context(), append([]string{"migrate"}, args...), func(k string) string {
			if k == "DATABASE_URL" {
				return url
			}
			return ""
		}, strings.NewReader(""), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	code, out, errs := migrate("up")
	if code != 0 {
		t.Fatalf("up: %d %s", code, errs)
	}
	top := out[strings.LastIndex(out, "schema at version "):]
	if code, out, errs := migrate("down-to", "21"); code != 0 || !strings.Contains(out, "schema at version 21") || !strings.Contains(out, "down ") {
		t.Fatalf("down-to 21: %d %q %q", code, out, errs)
	}
	if _, out, _ := migrate("status"); !regexp.MustCompile(`(?m)^21\s+applied`).MatchString(out) || !regexp.MustCompile(`(?m)^30\s+pending`).MatchString(out) {
		t.Errorf("status after down-to 21: want 21 applied and 30 pending:\n%s", out)
	}
	for _, bad := range [][]string{{"down-to", "500"}, {"down-to", "x"}, {"down-to", "-1"}, {"down-to"}, {"down-to", "1", "2"}} {
		if code, _, errs := migrate(bad...); code != 2 {
			t.Errorf("migrate %v: exit %d (%s), want 2", bad, code, errs)
		}
	}
	if code, out, errs := migrate("up"); code != 0 || !strings.Contains(out, strings.TrimSpace(top)) {
		t.Fatalf("up again: %d %q %q, want %q", code, out, errs, top)
	}
}

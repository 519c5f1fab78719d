package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestUserCommands(t *testing.T) {
	pool := testdb.New(t)
	url := testenv.URLOf(t, pool)
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	runIn := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		err := run(t.Context(), args, getenv, strings.NewReader(stdin), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	if code, out, errs := runIn("admin passphrase for the cli\n", "user", "create", "--email", "Boss@Example.com", "--name", "Boss", "--admin"); code != 0 || !strings.Contains(out, "created admin boss@example.com") {
		t.Fatalf("create admin: %d %q %q", code, out, errs)
	}
	var hash, role string
	_ = pool.QueryRow(t.Context(), `SELECT password_hash, role FROM users WHERE email = 'boss@example.com'`).Scan(&hash, &role)
	if role != "admin" || !auth.VerifyPassword("admin passphrase for the cli", hash) {
		t.Errorf("role %q, password stored: %v", role, auth.VerifyPassword("admin passphrase for the cli", hash))
	}
	code, out, _ := runIn("", "user", "create", "--email", "gen@example.com", "--name", "Gen", "--generate")
	if code != 0 || !strings.Contains(out, "password (shown once): ") {
		t.Fatalf("create --generate: %d %q", code, out)
	}
	pw := strings.TrimSpace(out[strings.Index(out, "shown once): ")+len("shown once): "):])
	_ = pool.QueryRow(t.Context(), `SELECT password_hash FROM users WHERE email = 'gen@example.com'`).Scan(&hash)
	if len(pw) < 20 || !auth.VerifyPassword(pw, hash) {
		t.Errorf("generated password %q does not verify", pw)
	}
	if code, _, errs := runIn("password1234\n", "user", "create", "--email", "weak@example.com", "--name", "W"); code != 2 || !strings.Contains(errs, "too easy") {
		t.Errorf("weak password: %d %q", code, errs)
	}
	if code, _, errs := runIn("admin passphrase for the cli\n", "user", "create", "--email", "boss@example.com", "--name", "Dup"); code != 2 || !strings.Contains(errs, "already exists") {
		t.Errorf("duplicate: %d %q", code, errs)
	}
	if code, out, _ := runIn("", "user", "set-role", "--email", "gen@example.com", "--role", "admin"); code != 0 || !strings.Contains(out, "is now admin") {
		t.Errorf("set-role: %d %q", code, out)
	}
	if code, _, errs := runIn("", "user", "set-role", "--email", "gen@example.com", "--role", "god"); code != 2 || !strings.Contains(errs, "trader or admin") {
		t.Errorf("bad role: %d %q", code, errs)
	}
	if code, out, _ := runIn("", "user", "disable", "--email", "gen@example.com"); code != 0 || !strings.Contains(out, "is disabled") {
		t.Errorf("disable: %d %q", code, out)
	}
	if code, _, errs := runIn("", "user", "disable", "--email", "nobody@example.com"); code != 2 || !strings.Contains(errs, "No account") {
		t.Errorf("unknown user: %d %q", code, errs)
	}
	if code, _, _ := runIn("", "user", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: %d", code)
	}
	var events int
	_ = pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE event IN ('register','role_change','account_disabled')`).Scan(&events)
	if events != 4 {
		t.Errorf("audit events = %d, want 4", events)
	}
}

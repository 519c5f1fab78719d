package main

import (
	"bytes"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestCLIUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"NoCommand", nil, 2, "", "Usage: qlibpro"},
		{"UnknownCommand", []string{"fly"}, 2, "", `unknown command "fly"`},
		{"Help", []string{"--help"}, 0, "Commands:", ""},
		{"ServeHelp", []string{"serve", "--help"}, 0, "Usage: qlibpro serve", ""},
		{"MigrateHelp", []string{"migrate", "-h"}, 0, "redo", ""},
		{"SeedHelp", []string{"seed", "--help"}, 0, "--data", ""},
		{"SeedSimulateToBad", []string{"seed", "--simulate-to", "yesterday"}, 2, "", `--simulate-to must be today or a date such as 2026-12-04, not "yesterday"`},
		{"SeedSimulateToFuture", []string{"seed", "--simulate-to", "2999-01-04"}, 2, "", "--simulate-to 2999-01-04 is in the future"},
		{"VersionHelp", []string{"version", "--help"}, 0, "--json", ""},
		{"BadFlag", []string{"serve", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{"MigrateNoVerb", []string{"migrate"}, 2, "", "exactly one of"},
		{"MigrateBadVerb", []string{"migrate", "sideways"}, 2, "", `unknown migrate action "sideways"`},
		{"VersionArgs", []string{"version", "x"}, 2, "", "no arguments"},
		{"Version", []string{"version"}, 0, "qlibpro dev", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errs)
			}
			if !strings.Contains(out, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantStdout)
			}
			if !strings.Contains(errs, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errs, tt.wantStderr)
			}
		})
	}
}

func TestBadConfigIsUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(t.Context(), []string{"seed"}, func(k string) string {
		if k == "PORT" {
			return "eighty"
		}
		return ""
	}, strings.NewReader(""), &out, &errb)
	if code := exitCode(err, &errb); code != 2 || !strings.Contains(errb.String(), "PORT:") {
		t.Errorf("exit %d, stderr %q; want 2 naming PORT", code, errb.String())
	}
}

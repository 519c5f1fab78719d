package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
)

func cmdVersion(_ context.Context, e env, args []string) error {
	fs := newFlags("version")
	asJSON := fs.Bool("json", false, "print as JSON")
	if err := parse(e, fs, "Usage: qlibpro version [--json]\n\nPrint the version, commit, build time and Go version.", args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "version takes no arguments", usage: usageOf(fs, "Usage: qlibpro version [--json]")}
	}
	info := buildinfo.Get()
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(info)
	}
	_, err := fmt.Fprintf(e.stdout, "qlibpro %s (commit %s, built %s, %s)\n", info.Version, info.Commit, info.BuildTime, info.GoVersion)
	return err
}

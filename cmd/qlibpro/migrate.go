package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/pressly/goose/v3"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for goose

	"github.com/qlibpro/qlibpro/migrations"
)

const migrateUsage = `Usage: qlibpro migrate up | down | down-to VERSION | status | redo

  up               apply every pending migration
  down             roll back the latest migration
  down-to VERSION  roll back every migration above VERSION (0: all of them)
  status           list migrations and whether each is applied
  redo             roll back the latest migration and apply it again

A release's migrations stay compatible with the release before it
(expand/contract, docs/operations.md), so rolling code back never needs
down-to; it is for undoing a migration that went wrong.

Uses DATABASE_URL. Migrations are embedded in the binary; concurrent runs
serialise on a PostgreSQL advisory lock.`

func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlags("migrate")
	if err := parse(e, fs, migrateUsage, args); err != nil {
		return err
	}
	verb := fs.Arg(0)
	var target int64
	switch {
	case fs.NArg() == 2 && verb == "down-to":
		v, err := strconv.ParseInt(fs.Arg(1), 10, 64)
		if err != nil || v < 0 {
			return &usageError{msg: fmt.Sprintf("down-to needs a schema version (a whole number from 0), got %q", fs.Arg(1)), usage: migrateUsage + "\n"}
		}
		target = v
	case fs.NArg() == 1 && verb == "down-to":
		return &usageError{msg: "down-to needs the version to go down to", usage: migrateUsage + "\n"}
	case fs.NArg() != 1:
		return &usageError{msg: "migrate needs exactly one of up, down, down-to VERSION, status, redo", usage: migrateUsage + "\n"}
	}
	switch verb {
	case "up", "down", "down-to", "status", "redo":
	default:
		return &usageError{msg: fmt.Sprintf("unknown migrate action %q", verb), usage: migrateUsage + "\n"}
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	sqlDB, err := sql.Open("pgx", cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	p, err := migrations.NewProvider(sqlDB, nil, migrations.WithTimescaleLog(newLogger(cfg, e.stderr)))
	if err != nil {
		return err
	}
	return migrate(ctx, p, verb, target, e)
}

func migrate(ctx context.Context, p *goose.Provider, verb string, target int64, e env) error {
	report := func(results []*goose.MigrationResult) {
		for _, r := range results {
			fmt.Fprintf(e.stdout, "%-5s %s (%s)\n", r.Direction, sourceName(r.Source), r.Duration.Round(1e6))
		}
	}
	switch verb {
	case "up":
		results, err := p.Up(ctx)
		report(results)
		if err != nil {
			return err
		}
		v, err := p.GetDBVersion(ctx)
		if err == nil {
			fmt.Fprintf(e.stdout, "schema at version %d\n", v)
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			report([]*goose.MigrationResult{r})
		}
		return err
	case "down-to":
		cur, err := p.GetDBVersion(ctx)
		if err != nil {
			return err
		}
		if target > cur {
			return &usageError{msg: fmt.Sprintf("the schema is at version %d, below %d: use migrate up", cur, target)}
		}
		results, err := p.DownTo(ctx, target)
		report(results)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "schema at version %d\n", target)
		return nil
	case "redo":
		r, err := p.Down(ctx)
		if err != nil {
			return err
		}
		report([]*goose.MigrationResult{r})
		r, err = p.ApplyVersion(ctx, r.Source.Version, true)
		if r != nil {
			report([]*goose.MigrationResult{r})
		}
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT (UTC)\tSOURCE")
	for _, s := range st {
		at := ""
		if !s.AppliedAt.IsZero() {
			at = s.AppliedAt.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, at, sourceName(s.Source))
	}
	return tw.Flush()
}

// sourceName names a migration: its file, or "go migration N" for Go migrations.
func sourceName(s *goose.Source) string {
	if s.Path != "" {
		return s.Path
	}
	return fmt.Sprintf("go migration %d (TimescaleDB when available)", s.Version)
}

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/config"
)

const importUsage = `Usage: qlibpro import --format yahoo|asx [--code CODE] [--skip-bad] FILE...

Upsert daily bars from CSV exports, idempotently, one transaction per file.
The instrument code comes from the file name (BHP.AX.csv, BHP.csv, BHP.csv.gz)
unless --code is given (one file only). A file with bad rows is reported with
their line numbers and nothing of it is written; with --skip-bad the good rows
are written and the bad ones counted. Exit status 2 when any file was refused.

  yahoo  Date,Open,High,Low,Close,Adj Close,Volume (YYYY-MM-DD)
  asx    Date,Open,High,Low,Last|Close,Volume (DD/MM/YYYY or YYYY-MM-DD)`

func cmdImport(ctx context.Context, e env, args []string) error {
	fs := newFlags("import")
	format := fs.String("format", "", "yahoo or asx (required)")
	code := fs.String("code", "", "instrument code for a single file")
	skipBad := fs.Bool("skip-bad", false, "write the good rows of a file that has bad ones")
	if err := parse(e, fs, importUsage, args); err != nil {
		return err
	}
	f := asxdata.Format(*format)
	if f != asxdata.FormatYahoo && f != asxdata.FormatASX {
		return &usageError{msg: "--format must be yahoo or asx", usage: importUsage + "\n"}
	}
	files := fs.Args()
	if len(files) == 0 {
		return &usageError{msg: "name one or more files", usage: importUsage + "\n"}
	}
	if *code != "" && len(files) > 1 {
		return &usageError{msg: "--code works with exactly one file", usage: importUsage + "\n"}
	}
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		return importFiles(ctx, e, pool, files, *code, f, *skipBad)
	})
}

// importFiles imports each file in its own transaction.
func importFiles(ctx context.Context, e env, pool *pgxpool.Pool, files []string, codeFlag string, f asxdata.Format, skipBad bool) error {
	q := db.New(pool)
	refused := 0
	for _, path := range files {
		c := strings.ToUpper(codeFlag)
		if c == "" {
			c = codeFromFile(path)
		}
		if _, err := q.GetInstrument(ctx, c); db.IsNotFound(err) {
			fmt.Fprintf(e.stderr, "%s: unknown instrument %q (name the file CODE.csv or pass --code)\n", path, c)
			refused++
			continue
		} else if err != nil {
			return err
		}
		bars, bad, err := asxdata.ReadFile(path, c, f)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
			refused++
			continue
		}
		for _, b := range bad {
			fmt.Fprintf(e.stderr, "%s: %v\n", path, b)
		}
		if len(bad) > 0 && !skipBad {
			fmt.Fprintf(e.stderr, "%s: %d bad rows; nothing written (fix them, or pass --skip-bad)\n", path, len(bad))
			refused++
			continue
		}
		var changed int64
		err = db.WithTx(ctx, pool, func(_ *db.Queries, tx pgx.Tx) error {
			changed, err = asxdata.UpsertBars(ctx, tx, bars, "import")
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(e.stdout, "%s: %s %d rows read, %d new or changed, %d bad rows skipped\n", path, c, len(bars), changed, len(bad))
	}
	if refused > 0 {
		return &usageError{msg: fmt.Sprintf("%d of %d files refused", refused, len(files))}
	}
	return nil
}

// codeFromFile reads the instrument code from a file name: BHP.AX.csv → BHP.
func codeFromFile(path string) string {
	base := filepath.Base(path)
	base, _, _ = strings.Cut(base, ".")
	return strings.ToUpper(base)
}

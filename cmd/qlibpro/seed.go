package main

import (
	"context"
	"fmt"

	"github.com/qlibpro/qlibpro/internal/asxdata"
)

const seedUsage = `Usage: qlibpro seed [--data DIR]

Load the shipped real ASX data: instruments from asx200.csv (code, name, GICS
sector and industry group), the six indices, and every daily bar, with COPY.
Idempotent: running it again changes nothing.`

func cmdSeed(ctx context.Context, e env, args []string) error {
	fs := newFlags("seed")
	dir := fs.String("data", "", "data directory (default $DATA_DIR or data/asx)")
	if err := parse(e, fs, seedUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "seed takes no arguments", usage: usageOf(fs, seedUsage)}
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	if *dir == "" {
		*dir = cfg.DataDir
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := asxdata.Seed(ctx, pool, *dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded %d instruments and %d daily bars (%d new or changed) in %s\n",
		res.Instruments, res.Bars, res.BarsInserted, res.Elapsed.Round(1e6))
	return nil
}

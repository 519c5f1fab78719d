package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

const seedUsage = `Usage: qlibpro seed [--data DIR] [--demo-user] [--simulate-to today|YYYY-MM-DD]

Load the shipped real ASX data: instruments from asx200.csv (code, name, GICS
sector and industry group), the six indices, every daily bar (raw prices, with
COPY) and the corporate actions in corporate-actions.csv, from which each bar's
adjustment factor is set (Qlib's $factor: adjusted price = raw × factor);
then the dividends in dividends.csv (113 events of 10 codes; the 3 lines
without an ex-date, IAG's only one among them, are skipped and named).
Idempotent: running it again changes nothing.

--demo-user (development only; make run passes it) also creates the account
demo@qlibpro.com.au, an admin, with the password in DEMO_PASSWORD (default
"qlibpro demo trader 2026") and a default paper account, if it does not exist.

--simulate-to (make run passes "today") fills every ASX trading day after each
active instrument's last bar and after the real history's last day, up to that
day, with simulated daily bars (source sim):
a random walk from the last close with the volatility and volume of the last
year of real bars, the same for the same FEED_SEED, code and day, or the bar
of a session the demo feed played that day. "today" stops at the trading day
before the one the demo feed plays now, which writes its own bar at its
close. Charts and signal pages label simulated days; model evidence (IC,
quintiles) never uses them; real bars imported later replace them.`

func cmdSeed(ctx context.Context, e env, args []string) error {
	fs := newFlags("seed")
	dir := fs.String("data", "", "data directory (default $DATA_DIR or data/asx)")
	demo := fs.Bool("demo-user", false, "also create the development demo account")
	simTo := fs.String("simulate-to", "", "fill the days after the last bar up to this day (today or YYYY-MM-DD) with simulated bars")
	if err := parse(e, fs, seedUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "seed takes no arguments", usage: usageOf(fs, seedUsage)}
	}
	cal := asx.DefaultCalendar()
	var to time.Time
	if *simTo != "" {
		var err error
		if to, err = feed.SimulateTo(*simTo, time.Now(), cal); err != nil {
			return &usageError{msg: apperr.MessageOf(err), usage: usageOf(fs, seedUsage)}
		}
	}
	return withPool(ctx, e, func(cfg config.Config, pool *pgxpool.Pool) error {
		if *demo && cfg.IsProduction() {
			return &usageError{msg: "--demo-user is refused in production (it creates an admin with a known password)"}
		}
		if *dir == "" {
			*dir = cfg.DataDir
		}
		res, err := asxdata.Seed(ctx, pool, *dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "seeded %d instruments and %d daily bars (%d new or changed) in %s\n",
			res.Instruments, res.Bars, res.BarsInserted, res.Elapsed.Round(1e6))
		fmt.Fprintf(e.stdout, "corporate actions: %d (%d new or corrected); adjustment factors changed on %d bars\n",
			res.Actions, res.ActionsChanged, res.FactorsChanged)
		if err := seedDividends(ctx, e, pool, *dir); err != nil {
			return err
		}
		if *simTo != "" {
			fill, err := feed.FillSimulated(ctx, pool, cal, cfg.FeedSeed, to)
			if err != nil {
				return err
			}
			if fill.Bars == 0 {
				fmt.Fprintf(e.stdout, "simulated days: none to fill up to %s\n", to.Format(time.DateOnly))
			} else {
				fmt.Fprintf(e.stdout, "simulated %d daily bars (source sim; %d from played sessions) for %d instruments, %s to %s, in %s\n",
					fill.Bars, fill.FromSession, fill.Instruments, fill.From.Format(time.DateOnly), fill.To.Format(time.DateOnly), fill.Elapsed.Round(1e6))
			}
		}
		if !*demo {
			return nil
		}
		return seedDemoUser(ctx, e, pool)
	})
}

// seedDemoUser creates the demo admin and its paper account unless it exists.
func seedDemoUser(ctx context.Context, e env, pool *pgxpool.Pool) error {
	svc := auth.NewService(pool, nil, nil, slog.New(slog.DiscardHandler), auth.Options{})
	u, err := svc.FindUser(ctx, auth.DemoEmail)
	if apperr.CodeOf(err) == apperr.NotFound {
		password := e.getenv("DEMO_PASSWORD")
		if password == "" {
			password = auth.DemoPassword
		}
		u, err = svc.CreateDemoUser(ctx, password, auth.Meta{IP: "cli", UserAgent: "qlibpro seed --demo-user"})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created the demo admin %s (password: DEMO_PASSWORD or %q)\n", auth.DemoEmail, auth.DemoPassword)
	} else if err != nil {
		return err
	}
	_, err = portfolio.EnsureAccount(ctx, pool, u.ID)
	return err
}

// seedDividends loads dir/dividends.csv, a step of its own after the bars
// (the events name instruments).
func seedDividends(ctx context.Context, e env, pool *pgxpool.Pool, dir string) error {
	res, err := portfolio.SeedDividends(ctx, pool, filepath.Join(dir, portfolio.DividendFile))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded %d dividends (%d new or changed); skipped %d without an ex-date\n",
		res.Lines, res.Changed, len(res.Skipped))
	return nil
}

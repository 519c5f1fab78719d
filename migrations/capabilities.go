package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// TimescaleLevel is how much of TimescaleDB the migrations use.
type TimescaleLevel int

const (
	// Plain is plain PostgreSQL: ordinary tables, bars_1m kept by the
	// application's roll-up.
	Plain TimescaleLevel = iota
	// Hypertables only (an Apache-licensed TimescaleDB: no compression,
	// continuous aggregates or policies, which are Timescale-licensed):
	// bars_1m stays a table kept by the roll-up.
	Hypertables
	// Full TimescaleDB: hypertables, compression, retention and bars_1m as a
	// continuous aggregate.
	Full
)

func (l TimescaleLevel) String() string {
	switch l {
	case Hypertables:
		return "hypertables"
	case Full:
		return "full"
	}
	return "plain"
}

// TimescaleCaps is what the database server and the migrating role offer,
// read before any TimescaleDB statement runs so that a partly available
// TimescaleDB falls back to plain PostgreSQL instead of failing half-way.
type TimescaleCaps struct {
	Available bool // the extension's files are installed (pg_available_extensions)
	Installed bool // CREATE EXTENSION has been run in this database
	Preloaded bool // timescaledb is in shared_preload_libraries (it refuses to load otherwise)
	CanCreate bool // the role may create it: superuser, or a trusted extension and CREATE on the database
	// License is timescaledb.license: "timescale" (community features) or
	// "apache" (hypertables only; an Apache-only build has nothing else).
	// Empty when the server does not say (the extension's default applies).
	License string
}

// Plan chooses the level to migrate at and says why, in one line for the log.
func (c TimescaleCaps) Plan() (TimescaleLevel, string) {
	const plain = "; using plain PostgreSQL (ordinary tables, bars_1m kept by the roll-up)"
	switch {
	case !c.Available:
		return Plain, "TimescaleDB: not installed on this server" + plain
	case !c.Preloaded:
		return Plain, "TimescaleDB: installed but not in shared_preload_libraries" + plain
	case !c.Installed && !c.CanCreate:
		return Plain, "TimescaleDB: this role may not create the extension (needs superuser, or CREATE on the database for a trusted extension)" + plain
	case c.License == "apache":
		return Hypertables, "TimescaleDB: Apache-licensed build (no compression, continuous aggregates or policies); using hypertables only, bars_1m kept by the roll-up"
	}
	return Full, "TimescaleDB: using hypertables, compression, retention and the bars_1m continuous aggregate"
}

// DetectTimescale reads the server's TimescaleDB capabilities. It changes
// nothing.
func DetectTimescale(ctx context.Context, db *sql.DB) (TimescaleCaps, error) {
	var c TimescaleCaps
	var preload string
	var loader, superuser, trusted, createDB bool
	var license sql.NullString
	err := db.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'),
		       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'),
		       coalesce((SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'), ''),
		       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'timescaledb.disable_load' AND vartype = 'bool'),
		       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		       coalesce((SELECT bool_or(v.trusted) FROM pg_available_extension_versions v
		                 JOIN pg_available_extensions e ON e.name = v.name AND e.default_version = v.version
		                 WHERE v.name = 'timescaledb'), false),
		       has_database_privilege(current_database(), 'CREATE'),
		       current_setting('timescaledb.license', true)`).
		Scan(&c.Available, &c.Installed, &preload, &loader, &superuser, &trusted, &createDB, &license)
	if err != nil {
		return c, fmt.Errorf("detect TimescaleDB: %w", err)
	}
	// shared_preload_libraries is hidden from roles without
	// pg_read_all_settings; the loader's own setting shows it is loaded.
	c.Preloaded = loader
	for _, lib := range strings.Split(preload, ",") {
		if strings.TrimSpace(strings.Trim(lib, `"`)) == "timescaledb" {
			c.Preloaded = true
		}
	}
	c.CanCreate = superuser || (trusted && createDB)
	c.License = license.String
	return c, nil
}

// timescale decides once per provider (both TimescaleDB migrations use the
// same answer) and logs the decision once.
type timescale struct {
	detect func(context.Context, *sql.DB) (TimescaleCaps, error)
	notify func(string)
	done   bool
	level  TimescaleLevel
}

// levelFor returns the level to migrate at. The license of an extension not yet
// created is only known once it is loaded, so on the way to Full or
// Hypertables the extension is created first and the license read again.
func (t *timescale) levelFor(ctx context.Context, db *sql.DB) (TimescaleLevel, error) {
	if t.done {
		return t.level, nil
	}
	caps, err := t.detect(ctx, db)
	if err != nil {
		return Plain, err
	}
	level, why := caps.Plan()
	if level != Plain && !caps.Installed {
		if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS timescaledb`); err != nil {
			return Plain, fmt.Errorf("create extension timescaledb: %w", err)
		}
		if caps, err = t.detect(ctx, db); err != nil {
			return Plain, err
		}
		level, why = caps.Plan()
	}
	t.done, t.level = true, level
	if t.notify != nil {
		t.notify(why)
	}
	return level, nil
}

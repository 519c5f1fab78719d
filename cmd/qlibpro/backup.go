package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"filippo.io/age"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/backup"
	"github.com/qlibpro/qlibpro/internal/config"
)

const backupUsage = `Usage: qlibpro backup --out FILE [--encrypt]

Dump DATABASE_URL to FILE with pg_dump (custom format: compressed, restorable
table by table). --encrypt encrypts it to the age public key(s) in
BACKUP_AGE_RECIPIENTS (comma-separated age1…; keep the matching identity
offline). Then prints the row count of every table and checks the paper
ledger's invariants. Needs pg_dump of the server's major version or newer.`

const restoreUsage = `Usage: qlibpro restore --in FILE [--replace]

Restore a dump made by 'qlibpro backup' into DATABASE_URL (pg_restore, in one
transaction). An encrypted dump needs its age identity in BACKUP_AGE_IDENTITY
(AGE-SECRET-KEY-1…). The target must be an empty database unless --replace,
which drops and recreates every object of the dump. Afterwards it prints the
row count of every table and exits 1 if a ledger invariant fails.`

func cmdBackup(ctx context.Context, e env, args []string) error {
	fs := newFlags("backup")
	out := fs.String("out", "", "file to write the dump to")
	encrypt := fs.Bool("encrypt", false, "encrypt to BACKUP_AGE_RECIPIENTS")
	if err := parse(e, fs, backupUsage, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return &usageError{msg: "backup needs --out FILE and no arguments", usage: backupUsage + "\n"}
	}
	var recipients []age.Recipient
	if *encrypt {
		raw := strings.TrimSpace(e.getenv("BACKUP_AGE_RECIPIENTS"))
		if raw == "" {
			return &usageError{msg: "--encrypt needs BACKUP_AGE_RECIPIENTS (age public keys, age1…)"}
		}
		var err error
		if recipients, err = age.ParseRecipients(strings.NewReader(strings.ReplaceAll(raw, ",", "\n"))); err != nil {
			return &usageError{msg: "BACKUP_AGE_RECIPIENTS: " + err.Error()}
		}
	}
	return withPool(ctx, e, func(cfg config.Config, pool *pgxpool.Pool) error {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if err := backup.Dump(ctx, cfg.DatabaseURL, f, recipients); err != nil {
			f.Close()
			_ = os.Remove(*out) // never leave a half-written dump behind
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", *out)
		return report(ctx, e, pool)
	})
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	fs := newFlags("restore")
	in := fs.String("in", "", "dump to restore")
	replace := fs.Bool("replace", false, "drop and recreate the dump's objects in a database that has them")
	if err := parse(e, fs, restoreUsage, args); err != nil {
		return err
	}
	if *in == "" || fs.NArg() > 0 {
		return &usageError{msg: "restore needs --in FILE and no arguments", usage: restoreUsage + "\n"}
	}
	var identities []age.Identity
	if raw := strings.TrimSpace(e.getenv("BACKUP_AGE_IDENTITY")); raw != "" {
		var err error
		if identities, err = age.ParseIdentities(strings.NewReader(raw)); err != nil {
			return &usageError{msg: "BACKUP_AGE_IDENTITY: " + err.Error()}
		}
	}
	f, err := os.Open(*in)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	defer f.Close()
	return withPool(ctx, e, func(cfg config.Config, pool *pgxpool.Pool) error {
		if err := backup.Restore(ctx, cfg.DatabaseURL, f, identities, *replace); err != nil {
			if errors.Is(err, backup.ErrNotEmpty) {
				return &usageError{msg: err.Error()}
			}
			return err
		}
		fmt.Fprintf(e.stdout, "restored %s\n", *in)
		return report(ctx, e, pool)
	})
}

// report prints the rows per table and the ledger check; a broken ledger is
// an error.
func report(ctx context.Context, e env, pool *pgxpool.Pool) error {
	rep, err := backup.Inspect(ctx, pool)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(rep.Rows))
	for t := range rep.Rows {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Fprintf(e.stdout, "%10d  %s\n", rep.Rows[t], t)
	}
	l := rep.Ledger
	fmt.Fprintf(e.stdout, "ledger: %d unbalanced transactions, %d cash mismatches, %d negative cash, %d negative parcels, %d reserves over cash\n",
		l.Unbalanced, l.CashMismatches, l.NegativeCash, l.NegativeParcels, l.ReservesOverCash)
	if !rep.LedgerOK() {
		return errors.New("the paper ledger's invariants do not hold")
	}
	return nil
}

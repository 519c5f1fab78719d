// Package backup dumps the database to a file and restores it, with
// PostgreSQL's own tools (pg_dump's custom format, pg_restore), optionally
// encrypted to an age key, and checks what a restore brought back: the row
// count of every table and the paper ledger's invariants.
package backup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
)

// ageMagic begins every age-encrypted file.
const ageMagic = "age-encryption.org/v1"

// Dump writes the database at url to w in pg_dump's custom format (compressed,
// restorable table by table), encrypted to recipients when there are any.
func Dump(ctx context.Context, url string, w io.Writer, recipients []age.Recipient) error {
	out := w
	var enc io.WriteCloser
	if len(recipients) > 0 {
		var err error
		if enc, err = age.Encrypt(w, recipients...); err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
		out = enc
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--dbname="+url)
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, firstLine(stderr.String()))
	}
	if enc != nil {
		return enc.Close()
	}
	return nil
}

// ErrNotEmpty refuses to restore over a database that already has tables.
var ErrNotEmpty = errors.New("the target database is not empty")

// Restore loads a dump made by Dump into the database at url. An encrypted
// dump needs one of identities. Unless replace, the target must hold no
// tables yet: a restore is for a fresh database, not a merge.
func Restore(ctx context.Context, url string, r io.Reader, identities []age.Identity, replace bool) error {
	br := bufio.NewReader(r)
	head, _ := br.Peek(len(ageMagic))
	in := io.Reader(br)
	if string(head) == ageMagic {
		if len(identities) == 0 {
			return errors.New("the dump is encrypted: give the age identity (BACKUP_AGE_IDENTITY)")
		}
		dec, err := age.Decrypt(br, identities...)
		if err != nil {
			return fmt.Errorf("decrypt: %w", err)
		}
		in = dec
	}
	if !replace {
		n, err := userTables(ctx, url)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w (%d tables): restore into a fresh database, or replace it with --replace", ErrNotEmpty, n)
		}
	}
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + url}
	if replace {
		args = append(args, "--clean", "--if-exists")
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_restore", args...)
	cmd.Stdin, cmd.Stderr = in, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore: %w: %s", err, firstLine(stderr.String()))
	}
	return nil
}

func userTables(ctx context.Context, url string) (int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("connect to the target: %w", err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n)
	return n, err
}

// Report is what a database holds: rows per table and the ledger's health.
type Report struct {
	Rows   map[string]int64 // schema.table → rows
	Ledger db.CheckLedgerRow
}

// LedgerOK reports whether every ledger invariant holds.
func (r Report) LedgerOK() bool {
	l := r.Ledger
	return l.Unbalanced == 0 && l.CashMismatches == 0 && l.NegativeCash == 0 && l.NegativeParcels == 0 && l.ReservesOverCash == 0
}

// Inspect counts the rows of every table and checks the ledger invariants.
func Inspect(ctx context.Context, pool *pgxpool.Pool) (Report, error) {
	rows, err := pool.Query(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err != nil {
		return Report{}, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return Report{}, err
	}
	rep := Report{Rows: make(map[string]int64, len(tables))}
	for _, t := range tables {
		schema, name, _ := strings.Cut(t, ".")
		var n int64
		q := "SELECT count(*) FROM " + pgx.Identifier{schema, name}.Sanitize()
		if err := pool.QueryRow(ctx, q).Scan(&n); err != nil {
			return rep, fmt.Errorf("count %s: %w", t, err)
		}
		rep.Rows[t] = n
	}
	rep.Ledger, err = db.New(pool).CheckLedger(ctx)
	return rep, err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

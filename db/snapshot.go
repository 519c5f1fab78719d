package db

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Snapshot is n read-only transactions on n connections that all see one
// snapshot of the database (pg_export_snapshot and SET TRANSACTION
// SNAPSHOT), so that several goroutines can read in parallel what a single
// transaction would see.
type Snapshot struct {
	txs []pgx.Tx
}

// snapshotID is the form of pg_export_snapshot's answer, such as
// 00000003-0000001B-1; it is checked before it is written into SQL, since
// SET TRANSACTION SNAPSHOT takes no parameters.
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+-[0-9A-Fa-f]+-[0-9]+$`)

// BeginSnapshot opens n (at least 1) repeatable-read, read-only
// transactions on pool sharing the first one's snapshot. Close ends them.
func BeginSnapshot(ctx context.Context, pool *pgxpool.Pool, n int) (*Snapshot, error) {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	first, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{txs: []pgx.Tx{first}}
	if n <= 1 {
		return s, nil
	}
	var id string
	if err := first.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&id); err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("export snapshot: %w", err)
	}
	if !snapshotID.MatchString(id) {
		s.Close(ctx)
		return nil, fmt.Errorf("export snapshot: unexpected id %q", id)
	}
	for range n - 1 {
		tx, err := pool.BeginTx(ctx, opts)
		if err != nil {
			s.Close(ctx)
			return nil, err
		}
		s.txs = append(s.txs, tx)
		if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+id+"'"); err != nil {
			s.Close(ctx)
			return nil, fmt.Errorf("import snapshot: %w", err)
		}
	}
	return s, nil
}

// Len returns the number of transactions.
func (s *Snapshot) Len() int { return len(s.txs) }

// Queries returns the queries of transaction i; each transaction is for one
// goroutine at a time.
func (s *Snapshot) Queries(i int) *Queries { return New(s.txs[i]) }

// Close rolls every transaction back (they only read).
func (s *Snapshot) Close(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, tx := range s.txs {
		_ = tx.Rollback(ctx)
	}
}

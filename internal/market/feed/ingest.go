package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// Ingest batches ticks, writes each batch to the ticks table with COPY and
// publishes it once on the quotes channel, stamped with the feed leader's
// identity.
type Ingest struct {
	pool     *pgxpool.Pool
	rdb      *redis.Client
	channel  string
	src      hub.Source    // this deployment and the leader term's epoch
	every    time.Duration // flush at least this often (100–250 ms)
	maxBatch int           // or when this many ticks are waiting
	onFlush  func(n int)   // metrics hook
}

// NewIngest returns an ingest stage publishing on channel as src (one
// leader term: see Runner).
func NewIngest(pool *pgxpool.Pool, rdb *redis.Client, channel string, src hub.Source, every time.Duration, maxBatch int, onFlush func(int)) *Ingest {
	if onFlush == nil {
		onFlush = func(int) {}
	}
	return &Ingest{pool: pool, rdb: rdb, channel: channel, src: src, every: every, maxBatch: maxBatch, onFlush: onFlush}
}

var tickColumns = []string{"time", "code", "price", "size", "bid", "ask", "seq", "kind"}

// Write stores one batch with COPY and publishes it; the database write comes
// first so that a client that reacts to the event can query the tick.
func (in *Ingest) Write(ctx context.Context, ticks []market.Tick) error {
	if len(ticks) == 0 {
		return nil
	}
	_, err := in.pool.CopyFrom(ctx, pgx.Identifier{"ticks"}, tickColumns, pgx.CopyFromSlice(len(ticks), func(i int) ([]any, error) {
		t := ticks[i]
		return []any{t.Time, t.Code, t.Price, t.Size, nullPrice(t.Bid), nullPrice(t.Ask), t.Seq, int16(t.Kind)}, nil
	}))
	if err != nil {
		return fmt.Errorf("copy ticks: %w", err)
	}
	msg, err := hub.EncodeBatch(in.src, ticks)
	if err != nil {
		return err
	}
	if err := in.rdb.Publish(ctx, in.channel, msg).Err(); err != nil {
		return fmt.Errorf("publish ticks: %w", err)
	}
	in.onFlush(len(ticks))
	return nil
}

func nullPrice(p float64) any {
	if p <= 0 {
		return nil
	}
	return p
}

// Run reads ticks from src until it closes or ctx ends, flushing every
// in.every or every in.maxBatch ticks, whichever comes first.
func (in *Ingest) Run(ctx context.Context, src <-chan []market.Tick) error {
	t := time.NewTicker(in.every)
	defer t.Stop()
	var buf []market.Tick
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := in.Write(ctx, buf)
		buf = buf[:0]
		return err
	}
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if len(buf) > 0 {
				return in.Write(fctx, buf)
			}
			return nil
		case batch, ok := <-src:
			if !ok {
				return flush()
			}
			buf = append(buf, batch...)
			if len(buf) >= in.maxBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-t.C:
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

package asxdata

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/corpaction"
)

// Indices are the six ASX indices shipped in data/asx/indices.
var Indices = []struct{ Code, Name string }{
	{"XJO", "S&P/ASX 200"},
	{"XTL", "S&P/ASX 20"},
	{"XFL", "S&P/ASX 50"},
	{"XTO", "S&P/ASX 100"},
	{"XKO", "S&P/ASX 300"},
	{"XAO", "All Ordinaries"},
}

// indexFrom is the first date loaded for indices: earlier rows carry broken
// high/low values (see data/asx/README.md).
var indexFrom = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedResult counts what a seed left in the database.
type SeedResult struct {
	Instruments  int64
	Bars         int64
	BarsInserted int64
	// Actions is how many corporate actions are stored, ActionsChanged how
	// many this seed added or corrected, FactorsChanged how many bars got a
	// new adjustment factor.
	Actions        int64
	ActionsChanged int
	FactorsChanged int64
	Elapsed        time.Duration
}

// Seed loads the shipped ASX data in dir (asx200.csv, equities/, indices/,
// corporate-actions.csv when present) into the database and sets every bar's
// adjustment factor. It is idempotent: a second run changes nothing.
func Seed(ctx context.Context, pool *pgxpool.Pool, dir string) (SeedResult, error) {
	start := time.Now()
	var res SeedResult
	insts, err := readConstituents(filepath.Join(dir, "asx200.csv"))
	if err != nil {
		return res, err
	}
	var bars []Bar
	for _, in := range insts {
		path := filepath.Join(dir, "equities", in.Code+".AX.csv.gz")
		b, err := readFile(path, in.Code)
		if os.IsNotExist(err) {
			continue // listed but without usable history (coverage.csv says why)
		}
		if err != nil {
			return res, err
		}
		bars = append(bars, b...)
	}
	for _, ix := range Indices {
		insts = append(insts, db.UpsertInstrumentParams{Code: ix.Code, Name: ix.Name, Kind: "index", Active: true})
		b, err := readFile(filepath.Join(dir, "indices", ix.Code+".csv.gz"), ix.Code)
		if err != nil {
			return res, err
		}
		for _, bar := range b {
			if !bar.Date.Before(indexFrom) {
				bars = append(bars, bar)
			}
		}
	}
	actions, err := readActions(filepath.Join(dir, "corporate-actions.csv"))
	if err != nil {
		return res, err
	}
	err = db.WithTx(ctx, pool, func(q *db.Queries, tx pgx.Tx) error {
		for _, in := range insts {
			if err := q.UpsertInstrument(ctx, in); err != nil {
				return fmt.Errorf("instrument %s: %w", in.Code, err)
			}
		}
		n, err := UpsertBars(ctx, tx, bars, "history")
		if err != nil {
			return err
		}
		res.BarsInserted = n
		if len(actions) > 0 {
			ar, err := corpaction.Upsert(ctx, q, actions)
			if err != nil {
				return fmt.Errorf("corporate-actions.csv: %w", err)
			}
			res.ActionsChanged, res.FactorsChanged = ar.Changed, ar.Bars
		}
		more, err := corpaction.Recompute(ctx, q, nil)
		if err != nil {
			return err
		}
		res.FactorsChanged += more
		if res.Actions, err = q.CountCorporateActions(ctx); err != nil {
			return err
		}
		if _, err := q.SetInstrumentActivity(ctx); err != nil {
			return err
		}
		if res.Instruments, err = q.CountInstruments(ctx); err != nil {
			return err
		}
		res.Bars, err = q.CountDailyBars(ctx)
		return err
	})
	res.Elapsed = time.Since(start)
	return res, err
}

// readActions reads the shipped corporate actions; a data directory without
// the file has none.
func readActions(path string) ([]corpaction.Action, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the data directory (DATA_DIR, --data)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	actions, err := corpaction.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return actions, nil
}

// ReadFile reads one instrument's bars from path (gzip allowed) in format,
// returning good bars and bad rows.
func ReadFile(path, code string, format Format) ([]Bar, []RowError, error) {
	f, err := openMaybeGzip(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return ReadBars(f, code, format)
}

func readFile(path, code string) ([]Bar, error) {
	f, err := openMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bars, bad, err := ReadBars(f, code, FormatShipped)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: %v", path, bad[0])
	}
	return bars, nil
}

// readConstituents parses asx200.csv:
// rank,code,yahoo_symbol,name,gics_sector,gics_industry_group_asx,asx_official_name,note.
func readConstituents(path string) ([]db.UpsertInstrumentParams, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the data directory (DATA_DIR, --data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, want := range []string{"rank", "code", "yahoo_symbol", "name", "gics_sector", "gics_industry_group_asx"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("%s: header has no %q column", path, want)
		}
	}
	var out []db.UpsertInstrumentParams
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", path, line, err)
		}
		p := db.UpsertInstrumentParams{
			Code:          strings.TrimSpace(rec[col["code"]]),
			Name:          titleName(rec[col["name"]]),
			Kind:          "equity",
			Sector:        strings.TrimSpace(rec[col["gics_sector"]]),
			IndustryGroup: strings.TrimSpace(rec[col["gics_industry_group_asx"]]),
			YahooSymbol:   strings.TrimSpace(rec[col["yahoo_symbol"]]),
			Active:        true,
		}
		if r, err := strconv.ParseInt(rec[col["rank"]], 10, 32); err == nil {
			r32 := int32(r)
			p.Rank = &r32
		}
		out = append(out, p)
	}
}

// titleName turns "COMMONWEALTH BANK OF AUSTRALIA" into "Commonwealth Bank of
// Australia", keeping short all-caps tokens such as "BHP" or "ASX".
func titleName(s string) string {
	words := strings.Fields(strings.TrimSpace(s))
	for i, w := range words {
		switch {
		case w == "OF" || w == "THE" || w == "AND":
			words[i] = strings.ToLower(w)
			if i == 0 {
				words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
			}
		case len(w) <= 3 && w != "LTD" && w != "CO" && w != "INC" && w != "PLC":
			// acronyms: BHP, ASX, QBE, NIB
		default:
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
	}
	return strings.Join(words, " ")
}

// UpsertBars writes bars through COPY into a temporary table, then inserts the
// new ones and updates those whose values changed, inside tx, marking them
// with source (history or import). It returns how many rows were inserted or
// changed.
func UpsertBars(ctx context.Context, tx pgx.Tx, bars []Bar, source string) (int64, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE bars_in (LIKE daily_bars INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"bars_in"},
		[]string{"code", "date", "open", "high", "low", "close", "volume"},
		pgx.CopyFromSlice(len(bars), func(i int) ([]any, error) {
			b := bars[i]
			return []any{b.Code, b.Date, b.Open, b.High, b.Low, b.Close, b.Volume}, nil
		}))
	if err != nil {
		return 0, fmt.Errorf("copy bars: %w", err)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO daily_bars (code, date, open, high, low, close, volume, source)
		SELECT code, date, open, high, low, close, volume, $1 FROM bars_in
		ON CONFLICT (code, date) DO UPDATE SET
			open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
			close = EXCLUDED.close, volume = EXCLUDED.volume, source = EXCLUDED.source
		WHERE (daily_bars.open, daily_bars.high, daily_bars.low, daily_bars.close, daily_bars.volume)
		      IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)`, source)
	if err != nil {
		return 0, fmt.Errorf("upsert bars: %w", err)
	}
	if _, err := tx.Exec(ctx, `DROP TABLE bars_in`); err != nil {
		return 0, err
	}
	// A new or back-filled bar takes its factor from the corporate actions
	// (and a new latest bar can bring an event's ex-date into the history).
	codes := make([]string, 0, 8)
	for _, b := range bars {
		if n := len(codes); n == 0 || codes[n-1] != b.Code {
			codes = append(codes, b.Code)
		}
	}
	if _, err := corpaction.Recompute(ctx, db.New(tx), codes); err != nil {
		return 0, fmt.Errorf("adjustment factors: %w", err)
	}
	return tag.RowsAffected(), nil
}

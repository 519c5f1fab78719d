package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
)

// Result reports what a Refresh did.
type Result struct {
	// Instruments is how many instruments were checked.
	Instruments int
	// Updated is how many of them had rows recomputed.
	Updated int
	// Written and Deleted count feature rows; a rewritten row counts in both.
	Written, Deleted int64
	// Rebuilt is set when the feature definitions changed since the rows
	// were stored, so every row was recomputed.
	Rebuilt bool
	// StoredRows and TableBytes describe the whole store afterwards.
	StoredRows, TableBytes int64
	Elapsed                time.Duration
}

// Refresh brings the stored features of codes up to date with their daily
// bars; no codes means every equity. For each instrument it finds the first
// day whose bar has no feature row, whose row has no bar any more, or whose
// bar differs from the one the row was computed from, and rewrites every row
// from that day on. A day's features read that day's bar and the 60 market
// trading days before it (days the instrument did not trade are NaN slots,
// see package calendar), so a changed bar changes the rows after it too;
// later rows are cheap to recompute and rewriting all of them keeps the rule
// simple. Appending a day rewrites only that day. When the market calendar
// itself changed inside the stored history, every stored instrument is
// rewritten from the first day that differs.
//
// Unknown codes are a NotFound error naming them; an index is Invalid, since
// every stored instrument joins the cross-section that models rank.
func (s *Store) Refresh(ctx context.Context, codes []string) (Result, error) {
	start := time.Now()
	q := db.New(s.pool)
	codes, err := s.universe(ctx, q, codes)
	if err != nil {
		return Result{}, err
	}
	res := Result{Instruments: len(codes)}

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Release()
	lockQ := db.New(conn)
	if err := lockQ.LockFeatureSet(ctx, s.name); err != nil {
		return res, fmt.Errorf("lock feature set: %w", err)
	}
	// Unlock with a fresh context: ctx may be cancelled by now.
	defer lockQ.UnlockFeatureSet(context.WithoutCancel(ctx), s.name)

	if res.Rebuilt, err = s.syncDefinition(ctx, q); err != nil {
		return res, err
	}
	cal, err := Calendar(ctx, s.pool)
	if err != nil {
		return res, err
	}
	stale, err := q.ListStaleFeatures(ctx, db.ListStaleFeaturesParams{Codes: codes, FeatureSet: s.name})
	if err != nil {
		return res, fmt.Errorf("find stale features: %w", err)
	}
	if stale, err = s.calendarStale(ctx, q, cal, stale); err != nil {
		return res, err
	}
	if err := s.recompute(ctx, cal, stale, &res); err != nil {
		return res, err
	}
	if err := q.SetFeatureCalendar(ctx, db.SetFeatureCalendarParams{Name: s.name, Calendar: cal.Days()}); err != nil {
		return res, err
	}
	stats, err := q.GetFeatureStats(ctx, s.name)
	if err != nil {
		return res, err
	}
	res.StoredRows, res.TableBytes = stats.Rows, stats.TotalBytes
	res.Elapsed = time.Since(start)
	return res, nil
}

// universe returns codes upper-cased and checked, or every equity. Indices
// are refused.
func (s *Store) universe(ctx context.Context, q *db.Queries, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return q.ListEquityCodes(ctx)
	}
	want := make([]string, 0, len(codes))
	for _, c := range codes {
		want = append(want, strings.ToUpper(strings.TrimSpace(c)))
	}
	slices.Sort(want)
	want = slices.Compact(want)
	found, err := q.ListInstrumentsByCodes(ctx, want)
	if err != nil {
		return nil, err
	}
	kind := make(map[string]string, len(found))
	for _, f := range found {
		kind[f.Code] = f.Kind
	}
	var unknown, indices []string
	for _, c := range want {
		switch kind[c] {
		case "":
			unknown = append(unknown, c)
		case "index":
			indices = append(indices, c)
		}
	}
	if len(unknown) > 0 {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "codes",
			Message: "unknown instrument " + strings.Join(unknown, ", ")}
	}
	if len(indices) > 0 {
		// Every stored instrument is scored and ranked against the others.
		return nil, apperr.FieldError("codes", "%s: the feature store holds equities, not indices", strings.Join(indices, ", "))
	}
	return want, nil
}

// calendarStale adds to stale every stored instrument from the first day on
// which the market calendar differs from the one the rows were evaluated on:
// a day inserted into (or removed from) the calendar inside an instrument's
// history is a slot more (or fewer) in its windows, though none of its own
// bars changed. Every stored instrument, not only the codes being
// refreshed, since the calendar is recorded once for the set.
func (s *Store) calendarStale(ctx context.Context, q *db.Queries, cal *calendar.Calendar, stale []db.ListStaleFeaturesRow) ([]db.ListStaleFeaturesRow, error) {
	old, err := q.GetFeatureCalendar(ctx, s.name)
	if err != nil {
		return nil, err
	}
	from, changed := calendar.FirstChange(old, cal.Days())
	if !changed {
		return stale, nil
	}
	// The instruments with rows from that day on; earlier rows read no
	// slot of it.
	all, err := q.ListFeatureCodes(ctx, db.ListFeatureCodesParams{
		FeatureSet: s.name, FromDate: from, ToDate: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	first := make(map[string]time.Time, len(all))
	for _, c := range all {
		first[c] = from
	}
	for _, st := range stale {
		if f, ok := first[st.Code]; !ok || st.StaleFrom.Before(f) {
			first[st.Code] = st.StaleFrom
		}
	}
	out := make([]db.ListStaleFeaturesRow, 0, len(first))
	for c, f := range first {
		out = append(out, db.ListStaleFeaturesRow{Code: c, StaleFrom: f})
	}
	slices.SortFunc(out, func(a, b db.ListStaleFeaturesRow) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// syncDefinition records the set's feature list and, when the definitions
// differ from the stored ones, deletes every row so that all are recomputed.
func (s *Store) syncDefinition(ctx context.Context, q *db.Queries) (bool, error) {
	cur, err := q.GetFeatureSet(ctx, s.name)
	if err != nil && !db.IsNotFound(err) {
		return false, err
	}
	if err == nil && cur.DefinitionHash == s.hash && slices.Equal(cur.Features, s.features) {
		return false, nil
	}
	changed := err == nil
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.UpsertFeatureSet(ctx, db.UpsertFeatureSetParams{
			Name: s.name, Features: s.features, DefinitionHash: s.hash,
		}); err != nil {
			return err
		}
		_, err := q.DeleteFeatureSetRows(ctx, s.name)
		return err
	})
	return changed, err
}

// recompute rewrites the stale instruments with a few workers in parallel,
// one transaction per instrument, evaluating on cal.
func (s *Store) recompute(ctx context.Context, cal *calendar.Calendar, stale []db.ListStaleFeaturesRow, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan db.ListStaleFeaturesRow)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range min(s.workers, max(1, len(stale))) {
		wg.Go(func() {
			w := &worker{s: s, cal: cal}
			for st := range next {
				written, deleted, err := w.rewrite(ctx, st.Code, st.StaleFrom)
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("features of %s: %w", st.Code, err))
					cancel()
				} else {
					res.Updated++
					res.Written += written
					res.Deleted += deleted
				}
				mu.Unlock()
			}
		})
	}
	for _, st := range stale {
		if ctx.Err() != nil {
			break
		}
		next <- st
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return ctx.Err()
}

// worker holds one goroutine's reusable output buffers.
type worker struct {
	s   *Store
	cal *calendar.Calendar
	dst [][]float64
}

// rewrite recomputes one instrument's rows from the day from on.
func (w *worker) rewrite(ctx context.Context, code string, from time.Time) (written, deleted int64, err error) {
	s := w.s
	q := db.New(s.pool)
	rows, err := q.ListBarsForRefresh(ctx, db.ListBarsForRefreshParams{
		Code: code, StaleFrom: from, History: int32(s.lookback + historyMargin),
	})
	if err != nil {
		return 0, 0, err
	}
	bars := make([]Bar, len(rows))
	for i, r := range rows {
		bars[i] = Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
	}
	params, err := w.compute(code, bars, from)
	if err != nil {
		return 0, 0, err
	}
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		n, err := q.DeleteFeaturesFrom(ctx, db.DeleteFeaturesFromParams{FeatureSet: s.name, Code: code, Date: from})
		if err != nil {
			return err
		}
		deleted = n
		if len(params) == 0 {
			return nil
		}
		written, err = q.CopyFeatures(ctx, params)
		return err
	})
	return written, deleted, err
}

// compute evaluates the features over bars laid on the market calendar and
// returns the rows of the bars dated from on, ready to copy. The loaded
// history (lookback+historyMargin bars) spans at least as many calendar
// days, so the first rewritten row sees every slot its windows read.
func (w *worker) compute(code string, bars []Bar, from time.Time) ([]db.CopyFeaturesParams, error) {
	s := w.s
	first, _ := slices.BinarySearchFunc(bars, from, func(b Bar, t time.Time) int { return b.Date.Compare(t) })
	if first == len(bars) {
		return nil, nil
	}
	a := Align(w.cal, bars)
	n := a.Series.Len
	outputs := len(s.features) + 1 // the program ends with the label
	if len(w.dst) != outputs {
		w.dst = make([][]float64, outputs)
	}
	for k := range w.dst {
		if cap(w.dst[k]) < n {
			w.dst[k] = make([]float64, n)
		}
		w.dst[k] = w.dst[k][:n]
	}
	if err := s.program.EvalInto(w.dst, a.Series); err != nil {
		return nil, err
	}
	nf := len(s.features)
	rows := len(bars) - first
	flat := make([]float32, rows*nf)
	params := make([]db.CopyFeaturesParams, 0, rows)
	for t := first; t < len(bars); t++ {
		vals := flat[(t-first)*nf : (t-first+1)*nf : (t-first+1)*nf]
		slot := a.Pos[t]
		for k := range nf {
			vals[k] = float32(w.dst[k][slot])
		}
		b := bars[t]
		params = append(params, db.CopyFeaturesParams{
			FeatureSet: s.name, Code: code, Date: b.Date, Vals: vals,
			SrcOpen: b.Open, SrcHigh: b.High, SrcLow: b.Low, SrcClose: b.Close, SrcVolume: b.Volume, SrcFactor: b.AdjFactor(),
		})
	}
	return params, nil
}

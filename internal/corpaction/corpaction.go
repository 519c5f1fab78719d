// Package corpaction keeps the corporate actions of ASX instruments (splits,
// consolidations, demergers, capital returns, rights issues, code changes)
// and the per-day adjustment factor they give each daily bar, as Qlib's
// $factor: adjusted price = raw × factor, adjusted volume = raw ÷ factor.
//
// A bar's factor is the product of the adjustment factors of the events after
// its date, up to the instrument's latest bar, so the latest bar's factor is
// always 1: recent adjusted prices are the real ones and a live price joins
// the adjusted history without a jump. Raw prices are never changed.
package corpaction

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

// Kind is the kind of a corporate action.
type Kind string

// The kinds of action.
const (
	KindSplit         Kind = "split"
	KindConsolidation Kind = "consolidation"
	KindDemerger      Kind = "demerger"
	KindCapitalReturn Kind = "capital_return"
	KindRights        Kind = "rights"
	KindCodeChange    Kind = "code_change"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{KindSplit, KindConsolidation, KindDemerger, KindCapitalReturn, KindRights, KindCodeChange}

// ChangesShares reports whether holders' share counts change at the ex-date
// (a split or consolidation), as opposed to prices only.
func (k Kind) ChangesShares() bool { return k == KindSplit || k == KindConsolidation }

// Action is one corporate action.
type Action struct {
	ID     int64
	Code   string
	ExDate *time.Time // nil only for a code change after the last bar
	Kind   Kind
	Ratio  string   // as announced: "5:1", "1-for-10", "A$2.00"
	Factor *float64 // multiplies prices before ExDate; nil when not known
	Source string
	Note   string
	// UpdatedAt is when the action was last added or corrected.
	UpdatedAt time.Time
}

// Label names the action in messages: "REH split 2017-12-18".
func (a Action) Label() string {
	d := "(no date)"
	if a.ExDate != nil {
		d = a.ExDate.Format(time.DateOnly)
	}
	return fmt.Sprintf("%s %s %s", a.Code, a.Kind, d)
}

func (a Action) key() string { return a.Label() }

// ShareMultiplier is how many shares one share becomes at a split or
// consolidation (5 for a 5:1 split, 0.1 for a 1-for-10 consolidation): the
// inverse of the price factor. ok is false for other kinds.
func (a Action) ShareMultiplier() (m float64, ok bool) {
	if !a.Kind.ChangesShares() || a.Factor == nil || *a.Factor <= 0 {
		return 0, false
	}
	return 1 / *a.Factor, true
}

func fromRow(r db.CorporateAction) Action {
	return Action{ID: r.ID, Code: r.Code, ExDate: r.ExDate, Kind: Kind(r.Kind), Ratio: r.Ratio,
		Factor: r.AdjustmentFactor, Source: r.Source, Note: r.Note, UpdatedAt: r.UpdatedAt}
}

// Service reads and writes corporate actions.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the corporate-action service over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// MaxList caps List.
const MaxList = 1000

// List returns the actions of code ("" = every code), newest first, at most
// MaxList.
func (s *Service) List(ctx context.Context, code string) ([]Action, error) {
	rows, err := db.New(s.pool).ListCorporateActions(ctx, db.ListCorporateActionsParams{
		Code: strings.ToUpper(strings.TrimSpace(code)), MaxRows: MaxList})
	if err != nil {
		return nil, err
	}
	out := make([]Action, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out, nil
}

// Result reports what Save did.
type Result struct {
	Lines   int // actions read
	Changed int // actions added or corrected (the rest were already stored as given)
	// Codes are the instruments whose actions changed: their factors were
	// recomputed, and their features and signals must be.
	Codes []string
	// Bars is how many daily bars got a new factor.
	Bars int64
	// Earliest is the first ex-date among the changed actions (zero when
	// none has one): features from there back are affected.
	Earliest time.Time
}

// EventSaved is the audit event of an admin's save.
const EventSaved = "corporate_actions_saved"

// Save adds or corrects actions (matched by code, ex-date and kind) and
// recomputes the factors of the codes that changed, in one transaction with
// an audit event by actorID (0 for the command line): all or nothing. An
// unknown code is an Invalid error naming it. The features and signals of
// the changed codes are the caller's to recompute (jobs.EnqueueCorporateActions).
func (s *Service) Save(ctx context.Context, actorID int64, m auth.Meta, actions []Action) (Result, error) {
	if len(actions) == 0 {
		return Result{}, apperr.FieldError("csv", "There are no corporate actions to save.")
	}
	res := Result{Lines: len(actions)}
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, tx pgx.Tx) error {
		r, err := Upsert(ctx, q, actions)
		if err != nil {
			return err
		}
		res = r
		labels := make([]string, 0, min(len(actions), 20))
		for i, a := range actions {
			if i == 20 {
				break
			}
			labels = append(labels, a.Label())
		}
		return auth.Audit(ctx, q, m, EventSaved, 0, actorID, map[string]any{
			"lines": res.Lines, "changed": res.Changed, "codes": res.Codes, "bars": res.Bars, "actions": labels})
	})
	return res, err
}

// EventDeleted is the audit event of an admin's delete.
const EventDeleted = "corporate_action_deleted"

// Delete removes the action with id (a wrong ex-date, a duplicate) and
// recomputes its code's factors, in one transaction with an audit event. An
// action that has changed paper parcels' share counts cannot be deleted.
func (s *Service) Delete(ctx context.Context, actorID int64, m auth.Meta, id int64) (Result, error) {
	var res Result
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.GetCorporateAction(ctx, id)
		if db.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "Corporate action not found.")
		}
		if err != nil {
			return err
		}
		a := fromRow(row)
		n, err := q.CountParcelAdjustments(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "%s has already changed the share counts of %d paper parcel(s); it cannot be deleted.", a.Label(), n)
		}
		if _, err := q.DeleteCorporateAction(ctx, id); err != nil {
			return err
		}
		res = Result{Lines: 1, Changed: 1, Codes: []string{a.Code}}
		if a.ExDate != nil {
			res.Earliest = *a.ExDate
		}
		if res.Bars, err = q.RecomputeFactors(ctx, res.Codes); err != nil {
			return err
		}
		return auth.Audit(ctx, q, m, EventDeleted, 0, actorID, map[string]any{"action": a.Label(), "bars": res.Bars})
	})
	return res, err
}

// Upsert is Save inside the caller's transaction q.
func Upsert(ctx context.Context, q *db.Queries, actions []Action) (Result, error) {
	res := Result{Lines: len(actions)}
	var codes []string
	for _, a := range actions {
		codes = append(codes, a.Code)
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	known, err := q.ListInstrumentsByCodes(ctx, codes)
	if err != nil {
		return res, err
	}
	kinds := map[string]string{}
	for _, k := range known {
		kinds[k.Code] = k.Kind
	}
	var unknown, indices []string
	for _, c := range codes {
		switch kinds[c] {
		case "":
			unknown = append(unknown, c)
		case "index":
			indices = append(indices, c)
		}
	}
	if len(unknown) > 0 {
		return res, apperr.FieldError("code", "Unknown instrument %s: add it before its corporate actions.", strings.Join(unknown, ", "))
	}
	if len(indices) > 0 {
		return res, apperr.FieldError("code", "%s is an index: corporate actions belong to equities.", strings.Join(indices, ", "))
	}
	changed := map[string]bool{}
	for _, a := range actions {
		if err := checkApplied(ctx, q, a); err != nil {
			return res, err
		}
		_, err := q.UpsertCorporateAction(ctx, db.UpsertCorporateActionParams{
			Code: a.Code, ExDate: a.ExDate, Kind: string(a.Kind), Ratio: a.Ratio,
			AdjustmentFactor: a.Factor, Source: a.Source, Note: a.Note})
		if db.IsNotFound(err) {
			continue // already stored with these values
		}
		if err != nil {
			return res, fmt.Errorf("%s: %w", a.Label(), err)
		}
		res.Changed++
		changed[a.Code] = true
		if a.ExDate != nil && (res.Earliest.IsZero() || a.ExDate.Before(res.Earliest)) {
			res.Earliest = *a.ExDate
		}
	}
	for c := range changed {
		res.Codes = append(res.Codes, c)
	}
	slices.Sort(res.Codes)
	if len(res.Codes) > 0 {
		if res.Bars, err = q.RecomputeFactors(ctx, res.Codes); err != nil {
			return res, fmt.Errorf("recompute factors: %w", err)
		}
	}
	return res, nil
}

// Recompute sets the factor of every bar of codes (none: every code with an
// action or a factor other than 1) from the stored actions, inside q's
// transaction. Bars whose factor is already right are not written, so it is
// cheap to call after any change of bars: a new day's bar is what makes an
// event dated that day apply to the history before it.
func Recompute(ctx context.Context, q *db.Queries, codes []string) (int64, error) {
	adjusted, err := q.ListAdjustedCodes(ctx)
	if err != nil {
		return 0, err
	}
	if len(codes) > 0 {
		adjusted = slices.DeleteFunc(adjusted, func(c string) bool { return !slices.Contains(codes, c) })
	}
	if len(adjusted) == 0 {
		return 0, nil
	}
	return q.RecomputeFactors(ctx, adjusted)
}

// checkApplied refuses to change the factor of a split or consolidation that
// has already changed paper parcels' share counts: those changes stand in the
// ledger, and a different factor would disagree with them.
func checkApplied(ctx context.Context, q *db.Queries, a Action) error {
	old, err := q.GetCorporateActionByKey(ctx, db.GetCorporateActionByKeyParams{Code: a.Code, ExDate: a.ExDate, Kind: string(a.Kind)})
	if db.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if sameFactor(old.AdjustmentFactor, a.Factor) {
		return nil
	}
	n, err := q.CountParcelAdjustments(ctx, old.ID)
	if err != nil || n == 0 {
		return err
	}
	return apperr.New(apperr.Conflict, "%s has already changed the share counts of %d paper parcel(s); its factor cannot be changed.", a.Label(), n)
}

func sameFactor(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

package market

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Watchlist is one of a user's named lists of instruments.
type Watchlist struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Position int32    `json:"position"`
	Codes    []string `json:"codes"`
}

// Watchlists manages users' watchlists; every method is scoped to the user,
// so another user's list is simply not found.
type Watchlists struct {
	pool *pgxpool.Pool
	q    *db.Queries
}

// NewWatchlists returns the watchlist service.
func NewWatchlists(pool *pgxpool.Pool) *Watchlists { return &Watchlists{pool: pool, q: db.New(pool)} }

// MaxWatchlists and MaxWatchlistItems bound what one user can store.
const (
	MaxWatchlists     = 20
	MaxWatchlistItems = 100
)

var errNoWatchlist = apperr.New(apperr.NotFound, "Watchlist not found.")

func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return "", apperr.FieldError("name", "Name the watchlist (1 to 60 characters).")
	}
	return name, nil
}

// List returns the user's watchlists in order, with their codes.
func (w *Watchlists) List(ctx context.Context, userID int64) ([]Watchlist, error) {
	rows, err := w.q.ListWatchlists(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Watchlist, 0, len(rows))
	for _, r := range rows {
		codes, err := w.q.ListWatchlistCodes(ctx, db.ListWatchlistCodesParams{ID: r.ID, UserID: userID})
		if err != nil {
			return nil, err
		}
		out = append(out, Watchlist{ID: r.ID, Name: r.Name, Position: r.Position, Codes: codes})
	}
	return out, nil
}

// Get returns one of the user's watchlists.
func (w *Watchlists) Get(ctx context.Context, userID, id int64) (Watchlist, error) {
	r, err := w.q.GetWatchlist(ctx, db.GetWatchlistParams{ID: id, UserID: userID})
	if db.IsNotFound(err) {
		return Watchlist{}, errNoWatchlist
	}
	if err != nil {
		return Watchlist{}, err
	}
	codes, err := w.q.ListWatchlistCodes(ctx, db.ListWatchlistCodesParams{ID: id, UserID: userID})
	return Watchlist{ID: r.ID, Name: r.Name, Position: r.Position, Codes: codes}, err
}

// Create makes a new watchlist at the end of the user's list.
func (w *Watchlists) Create(ctx context.Context, userID int64, name string) (Watchlist, error) {
	name, err := cleanName(name)
	if err != nil {
		return Watchlist{}, err
	}
	n, err := w.q.CountWatchlists(ctx, userID)
	if err != nil {
		return Watchlist{}, err
	}
	if n >= MaxWatchlists {
		return Watchlist{}, apperr.New(apperr.Unprocessable, "You already have %d watchlists, the most allowed.", MaxWatchlists)
	}
	r, err := w.q.CreateWatchlist(ctx, db.CreateWatchlistParams{UserID: userID, Name: name})
	if db.IsUniqueViolation(err, "") {
		return Watchlist{}, apperr.FieldError("name", "You already have a watchlist called %q.", name)
	}
	if err != nil {
		return Watchlist{}, err
	}
	return Watchlist{ID: r.ID, Name: r.Name, Position: r.Position, Codes: []string{}}, nil
}

// Rename changes a watchlist's name.
func (w *Watchlists) Rename(ctx context.Context, userID, id int64, name string) error {
	name, err := cleanName(name)
	if err != nil {
		return err
	}
	_, err = w.q.RenameWatchlist(ctx, db.RenameWatchlistParams{ID: id, UserID: userID, Name: name})
	switch {
	case db.IsNotFound(err):
		return errNoWatchlist
	case db.IsUniqueViolation(err, ""):
		return apperr.FieldError("name", "You already have a watchlist called %q.", name)
	}
	return err
}

// Move shifts a watchlist one place up (delta −1) or down (+1), renumbering
// the user's lists 0..n−1 in one transaction.
func (w *Watchlists) Move(ctx context.Context, userID, id int64, delta int) error {
	return db.WithTx(ctx, w.pool, func(q *db.Queries, _ pgx.Tx) error {
		rows, err := q.ListWatchlists(ctx, userID)
		if err != nil {
			return err
		}
		at := -1
		for i, r := range rows {
			if r.ID == id {
				at = i
			}
		}
		if at < 0 {
			return errNoWatchlist
		}
		to := min(max(at+delta, 0), len(rows)-1)
		rows[at], rows[to] = rows[to], rows[at]
		for i, r := range rows {
			if _, err := q.SetWatchlistPosition(ctx, db.SetWatchlistPositionParams{ID: r.ID, UserID: userID, Position: int32(i)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete removes a watchlist and its items.
func (w *Watchlists) Delete(ctx context.Context, userID, id int64) error {
	n, err := w.q.DeleteWatchlist(ctx, db.DeleteWatchlistParams{ID: id, UserID: userID})
	if err == nil && n == 0 {
		return errNoWatchlist
	}
	return err
}

// Add puts an instrument on a watchlist (adding it twice is harmless).
func (w *Watchlists) Add(ctx context.Context, userID, id int64, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	if _, err := w.q.GetInstrument(ctx, code); db.IsNotFound(err) {
		return apperr.FieldError("code", "Unknown instrument %q.", code)
	} else if err != nil {
		return err
	}
	wl, err := w.Get(ctx, userID, id)
	if err != nil {
		return err
	}
	if len(wl.Codes) >= MaxWatchlistItems {
		return apperr.New(apperr.Unprocessable, "A watchlist holds at most %d instruments.", MaxWatchlistItems)
	}
	_, err = w.q.AddWatchlistItem(ctx, db.AddWatchlistItemParams{ID: id, UserID: userID, Code: code})
	return err
}

// Remove takes an instrument off a watchlist.
func (w *Watchlists) Remove(ctx context.Context, userID, id int64, code string) error {
	if _, err := w.Get(ctx, userID, id); err != nil {
		return err
	}
	n, err := w.q.RemoveWatchlistItem(ctx, db.RemoveWatchlistItemParams{ID: id, UserID: userID, Code: strings.ToUpper(code)})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "%s is not on this watchlist.", strings.ToUpper(code))
	}
	return err
}

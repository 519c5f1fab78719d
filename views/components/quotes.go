package components

// QuoteRowView is one row of the live quote board.
type QuoteRowView struct {
	Code, Name, Sector string
	Last, Change       float64
	ChangePct          float64 // fraction
	Bid, Ask           float64
	Volume             int64
	Low, High          float64
	Flash              string // "up", "down" or "" — the move since the previous update
	Time               string // Sydney time of the last update
	Event              string // the SSE event that replaces this row (the hub's name for the code)
}

// QuoteBoardView is the quote board with its filters.
type QuoteBoardView struct {
	Sector     string
	Query      string
	Watchlist  int64
	Sectors    []string
	Watchlists []WatchlistOption
	Rows       []QuoteRowView
	StreamURL  string // SSE endpoint for these rows
	Simulated  bool
	Session    string // the trading day the board's times belong to (the session clock's)
}

// WatchlistOption is one watchlist in the board's filter.
type WatchlistOption struct {
	ID   int64
	Name string
}

// Package components holds the partials htmx swaps; each renders one element
// with a stable id and is also part of a full page.
package components

// OverviewView is the end-of-day market overview table with its sector filter.
type OverviewView struct {
	Sector  string   // selected sector, "" for all
	Sectors []string // every sector with active equities
	AsOf    string   // date of the latest bars
	Rows    []OverviewRow
}

// OverviewRow is one equity's latest end-of-day figures.
type OverviewRow struct {
	Code, Name, Sector string
	Close, Change      float64
	ChangePct          float64 // fraction
	Volume             int64
	Stale              bool // the last bar is older than the market's last day
	LastDate           string
}

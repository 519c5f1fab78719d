package components

// CorporateActionsView is the admin's corporate-action panel: the add or
// correct form, the CSV import and the stored actions.
type CorporateActionsView struct {
	Form    Form // one action
	Import  Form // a CSV file
	Header  string
	Kinds   []string
	Code    string // the list's filter ("" = every code)
	Actions []CorporateActionRow
	CSRF    string // for the delete buttons
	// JobURL follows the recompute of features and signals queued by the
	// last save.
	JobURL string
}

// CorporateActionRow is one stored action.
type CorporateActionRow struct {
	ID                                                       int64
	Code, ExDate, Kind, Ratio, Factor, Source, Note, Updated string
}

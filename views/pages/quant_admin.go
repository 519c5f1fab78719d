package pages

import "github.com/qlibpro/qlibpro/views/components"

// ModelsAdminView is the back-office models page: train, upload, activate.
type ModelsAdminView struct {
	CSRF   string
	Train  components.Form
	Upload components.Form
	Models []ModelListRow
	Job    *JobView
}

// JobView is a background job's progress.
type JobView struct {
	ID                 int64
	Kind, State, Stage string
	Message            string
	Step, Total        int
	Done, Failed       bool
	ResultURL          string
	Fraction           float64
}

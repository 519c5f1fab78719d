package pages

import "github.com/qlibpro/qlibpro/views/components"

// StatusView is the public status page.
type StatusView struct {
	Overall    string // "All systems working" or what is not
	OK         bool
	Components []ComponentState
	Current    []NoticeRow
	Upcoming   []NoticeRow
	CheckedAt  string
	Version    string
	Region     string
}

// ComponentState is one component's health.
type ComponentState struct {
	Name   string
	OK     bool
	Detail string
}

// NoticeRow is one notice as the status and admin pages list it.
type NoticeRow struct {
	ID     int64
	Kind   string
	Title  string
	Body   string
	Window string // "from 3 Dec 2026 14:00 AEDT until …"
	State  string // current | upcoming | ended
}

// AdminNoticesView is the admins' notices page.
type AdminNoticesView struct {
	Form    components.Form
	CSRF    string
	Notices []NoticeRow
}

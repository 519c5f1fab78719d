package pages

import "github.com/qlibpro/qlibpro/views/components"

// SettingsView is the account settings page.
type SettingsView struct {
	Email    string
	Profile  components.Form
	Password components.Form
	Keys     KeysView
	Sessions SessionsView
	Delete   components.Form
}

// KeysView is the API keys section.
type KeysView struct {
	Form   components.Form
	Keys   []KeyRow
	Secret string // a new key's secret, shown once
}

// KeyRow is one personal API key.
type KeyRow struct {
	ID                                   int64
	Name, Prefix, Created, Expires, Used string
	Scopes                               string // "read" or "read, trade"
}

// SessionsView is the active sessions section.
type SessionsView struct {
	CSRF     string
	Sessions []SessionRow
	Notice   string
}

// SessionRow is one signed-in browser.
type SessionRow struct {
	ID, Started, IP, UserAgent string
	Current                    bool
}

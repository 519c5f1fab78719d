// Package layouts holds the page frame every Qlib Pro page renders inside.
package layouts

// Shell is what the frame needs from the request: the handler's render helper
// fills it, pages never do.
type Shell struct {
	Title     string
	Active    string // nav key: home, markets, signals, portfolio, admin …
	CSRFToken string
	User      *User
	Assets    Assets
	Version   string
	Region    string
	Market    MarketStatus
	RequestID string
	Notices   []Notice // current notices, shown as a banner on every page
}

// Notice is an incident or maintenance notice the banner shows.
type Notice struct {
	Kind  string // incident | maintenance
	Title string
	Body  string
	Until string // "until 3 Dec 2026 18:00 AEDT", or ""
}

// ToastsID is the id of the element toasts are swapped into: errors and
// notices for htmx requests (the server retargets them there).
const ToastsID = "toasts"

// User is the signed-in user as the header shows them.
type User struct {
	Name    string
	IsAdmin bool
}

// Assets turns a static file name into its versioned URL.
type Assets interface {
	URL(name string) string
}

// MarketStatus is the market-status indicator in the header.
type MarketStatus struct {
	Phase     string // phase id, e.g. "open", "pre_open", "closed"
	Label     string // "Open", "Pre-open" …
	NextOpen  string // "Mon 10:00 AEST"
	Simulated bool   // the demo clock is driving the session
}

// HTMXConfig is htmx's configuration, set through its meta tag so that no
// inline script is needed: no eval, requests only to this origin, and error
// responses swapped (the server retargets them to the toast area).
const HTMXConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"historyCacheSize":0,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}`

// NavItem is one link in the main navigation.
type NavItem struct {
	Key, Label, Href string
	SignedIn, Admin  bool // shown only to signed-in users / admins
}

// Nav is the main navigation in display order.
var Nav = []NavItem{
	{Key: "home", Label: "Overview", Href: "/"},
	{Key: "markets", Label: "Markets", Href: "/markets", SignedIn: true},
	{Key: "watchlists", Label: "Watchlists", Href: "/watchlists", SignedIn: true},
	{Key: "portfolio", Label: "Portfolio", Href: "/portfolio", SignedIn: true},
	{Key: "signals", Label: "Signals", Href: "/signals", SignedIn: true},
	{Key: "models", Label: "Models", Href: "/models", SignedIn: true},
	{Key: "factors", Label: "Factor lab", Href: "/factors", SignedIn: true},
	{Key: "backtests", Label: "Backtests", Href: "/backtests", SignedIn: true},
	{Key: "admin", Label: "Admin", Href: "/admin", SignedIn: true, Admin: true},
}

// HeaderCSRF returns the hx-headers value that sends the CSRF token with every
// htmx request.
func (s Shell) HeaderCSRF() string {
	if s.CSRFToken == "" {
		return ""
	}
	return `{"X-CSRF-Token":"` + s.CSRFToken + `"}`
}

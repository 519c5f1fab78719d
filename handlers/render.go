package handlers

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/views/layouts"
)

// renderer wraps pages in the layout and fills the Shell from the request.
type renderer struct {
	assets layouts.Assets
	region string
	market func(time.Time) layouts.MarketStatus // nil until a market calendar is wired
	user   func(echo.Context) *layouts.User     // nil until accounts are wired
	csrf   func(echo.Context) string
	// streamsDone closes when the server shuts down: long-lived streams end
	// then, while ordinary requests are left to finish.
	streamsDone <-chan struct{}
}

// streamContext is the request's context, also cancelled at shutdown.
func (r *renderer) streamContext(c echo.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(c.Request().Context())
	if r.streamsDone != nil {
		go func() { // ends with the stream: its handler defers cancel
			select {
			case <-r.streamsDone:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

// isHTMX reports whether the request comes from htmx (and is not a history restore,
// which needs the full page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// shell builds the layout's view of the request.
func (r *renderer) shell(c echo.Context, title, active string) layouts.Shell {
	s := layouts.Shell{
		Title:     title,
		Active:    active,
		Assets:    r.assets,
		Version:   buildinfo.Version,
		Region:    r.region,
		RequestID: requestID(c),
	}
	if r.market != nil {
		s.Market = r.market(time.Now())
	}
	if r.user != nil {
		s.User = r.user(c)
	}
	if r.csrf != nil {
		s.CSRFToken = r.csrf(c)
	}
	return s
}

// page renders body inside the layout.
func (r *renderer) page(c echo.Context, status int, title, active string, body templ.Component) error {
	s := r.shell(c, title, active)
	return component(c, status, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layouts.Base(s).Render(templ.WithChildren(ctx, body), w)
	}))
}

// pageOrPartial serves the same URL as a full page, or, for htmx, only the
// partial it swaps. Caches must keep the two apart: Vary: HX-Request.
func (r *renderer) pageOrPartial(c echo.Context, title, active string, body, partial templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return component(c, http.StatusOK, partial)
	}
	return r.page(c, http.StatusOK, title, active, body)
}

// component renders t with status as HTML.
func component(c echo.Context, status int, t templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := t.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBytes renders t to a new byte slice (for content rendered outside a
// request, such as hub events).
func renderBytes(t templ.Component) ([]byte, error) {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := t.Render(context.Background(), buf); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

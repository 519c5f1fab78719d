package handlers

import (
	"context"
	"io"
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
	market func(time.Time) layouts.MarketStatus // the header's market indicator
	csrf   func(echo.Context) string            // the session's CSRF token, if it has one
	// notices are the current notices for the banner on every page.
	notices func(context.Context) []layouts.Notice
}

// shell builds the layout's view of the request.
func (r *renderer) shell(c echo.Context, title, active string) layouts.Shell {
	return layouts.Shell{
		Title:     title,
		Active:    active,
		Assets:    r.assets,
		Version:   buildinfo.Version,
		Region:    r.region,
		RequestID: requestID(c),
		Market:    r.market(time.Now()),
		User:      shellUser(c),
		CSRFToken: r.csrf(c),
		Notices:   r.notices(c.Request().Context()),
	}
}

// page renders body inside the layout.
func (r *renderer) page(c echo.Context, status int, title, active string, body templ.Component) error {
	s := r.shell(c, title, active)
	return component(c, status, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layouts.Base(s).Render(templ.WithChildren(ctx, body), w)
	}))
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
// request, such as stream events).
func renderBytes(t templ.Component) ([]byte, error) {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := t.Render(context.Background(), buf); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

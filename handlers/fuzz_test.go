package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

// fuzzEcho serves the fuzz targets' requests; one is enough, and building
// one per input would make each try several times dearer.
var fuzzEcho = echo.New()

// fuzzContext is an Echo context for one request with body.
func fuzzContext(method, target, contentType string, body []byte) echo.Context {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, contentType)
	return fuzzEcho.NewContext(req, httptest.NewRecorder())
}

// cleanText is text the application may store: trimmed, valid UTF-8, no NUL.
func cleanText(s string) bool {
	return s == strings.TrimSpace(s) && !badText(s)
}

// FuzzOrderForm checks how the order ticket's form becomes an OrderInput,
// behind the text check every route has: a body with bad text is a 400;
// otherwise every field is trimmed clean text, the code upper-cased, side,
// type and tif defaulted, and picked parcels (pick_<id>) in key order.
func FuzzOrderForm(f *testing.F) {
	for _, s := range []string{
		"code=bhp&side=buy&type=limit&quantity=100&limit_price=40.00&idempotency_key=k1",
		"code=CBA&side=sell&quantity=%2010%20&pick_12=5&pick_3=5&pick_x=1&pick_4=",
		"code=BHP&quantity=1%2C000&tif=gtc&expires=2026-12-24&account=2",
		"code=%00&quantity=%FF",
		"quantity=1&quantity=2&pick_-1=3&pick_%2B7=2",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c := fuzzContext(http.MethodPost, "/portfolio/orders", echo.MIMEApplicationForm, []byte(body))
		var in portfolio.OrderInput
		err := rejectBadText(func(c echo.Context) error {
			in = orderInput(c, ticketValues(c), 7)
			return nil
		})(c)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("form %q: error %v", body, err)
			}
			return
		}
		for name, v := range map[string]string{"code": in.Code, "side": in.Side, "type": in.Type, "quantity": in.Quantity,
			"limit_price": in.LimitPrice, "stop_price": in.StopPrice, "tif": in.TIF, "expires": in.Expires} {
			if !cleanText(v) {
				t.Fatalf("%s = %q", name, v)
			}
		}
		if in.Code != strings.ToUpper(in.Code) || in.Side == "" || in.Type == "" || in.TIF == "" || in.AccountID != 7 {
			t.Fatalf("input %+v", in)
		}
		// Each pick is a pick_<id> field with a quantity.
		form, _ := url.ParseQuery(body)
		for _, p := range in.Picks {
			found := false
			for k, vs := range form {
				id, err := strconv.ParseInt(strings.TrimPrefix(k, "pick_"), 10, 64)
				found = found || (strings.HasPrefix(k, "pick_") && err == nil && id == p.ParcelID && strings.TrimSpace(vs[0]) == p.Quantity)
			}
			if !found || p.Quantity == "" || !cleanText(p.Quantity) {
				t.Fatalf("pick %+v is not a field of %q", p, body)
			}
		}
	})
}

// FuzzOrderJSON checks the API's order body: every refusal is a 400
// (Invalid), and an accepted body's order, written back as JSON, decodes to
// the same order.
func FuzzOrderJSON(f *testing.F) {
	for _, s := range []string{
		`{"code":"BHP","side":"buy","type":"limit","quantity":100,"limit_price":"46.00"}`,
		`{"code":"BHP","side":"buy","type":"limit","quantity":1,"limit_price":45.001}`,
		`{"code":"BHP","side":"sell","quantity":"2.5","parcels":[{"parcel_id":4,"quantity":10}],"time_in_force":"gtc","expires":"2026-12-01"}`,
		`{"account_id":3,"code":"CBA","side":"buy","quantity":1e3,"stop_price":null}`,
		`{"code":"BHP","quantity":true}`,
		`{"code":"\u0000"}`,
		`[1,2]`,
		`{"quantity":-0.0E+0}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in apiOrderRequest
		if err := bindJSON(fuzzContext(http.MethodPost, "/api/v1/orders", echo.MIMEApplicationJSON, body), &in); err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("body %q: error %v", body, err)
			}
			return
		}
		out, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var again apiOrderRequest
		if err := bindJSON(fuzzContext(http.MethodPost, "/api/v1/orders", echo.MIMEApplicationJSON, out), &again); err != nil {
			t.Fatalf("%s written back as %s is refused: %v", body, out, err)
		}
		if a, b := toOrderInput(in), toOrderInput(again); !equalOrderInput(a, b) {
			t.Fatalf("%s reads as %+v, written back as %+v", body, a, b)
		}
	})
}

func equalOrderInput(a, b portfolio.OrderInput) bool {
	return a.AccountID == b.AccountID && a.Code == b.Code && a.Side == b.Side && a.Type == b.Type &&
		a.Quantity == b.Quantity && a.LimitPrice == b.LimitPrice && a.StopPrice == b.StopPrice &&
		a.TIF == b.TIF && a.Expires == b.Expires && slices.Equal(a.Picks, b.Picks)
}

// FuzzFlexText checks that quantities and prices keep their literal text:
// a JSON number exactly as written, a JSON string as its value, null as
// empty, anything else refused.
func FuzzFlexText(f *testing.F) {
	for _, s := range []string{`45.1`, `"45.10"`, `null`, ` 1e3 `, `-0`, `"\u00a0"`, `true`, `{}`, `[1]`, `01`, `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ft flexText
		err := json.Unmarshal(b, &ft)
		v := bytes.TrimSpace(b)
		var s string
		switch {
		case !json.Valid(b):
			if err == nil {
				t.Fatalf("invalid JSON %q read as %q", b, ft)
			}
		case string(v) == "null":
			if err != nil || ft != "" {
				t.Fatalf("null read as %q, %v", ft, err)
			}
		case json.Unmarshal(b, &s) == nil:
			if err != nil || string(ft) != s {
				t.Fatalf("string %s read as %q, %v", b, ft, err)
			}
		case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
			if err != nil || string(ft) != string(v) {
				t.Fatalf("number %s read as %q, %v", b, ft, err)
			}
		default:
			if err == nil {
				t.Fatalf("%s read as %q", b, ft)
			}
		}
	})
}

// FuzzSafeNext checks the after-sign-in redirect: it is next itself or "/",
// and a browser following it (which drops tabs and newlines and reads \ as
// /) stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/portfolio", "/settings?tab=keys#x", "//evil.example", "/\\evil.example", "https://evil.example/",
		"/\t/evil.example", "javascript:alert(1)", "/%2F%2Fevil.example", "", "/a@b", "/\x7f", "///x", "/.//evil.example", "\\/evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://qlibpro.test/signin")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		if !strings.HasPrefix(browser, "/") || strings.HasPrefix(browser, "//") {
			t.Fatalf("safeNext(%q) = %q, which a browser reads as %q", next, got, browser)
		}
		u, err := url.Parse(browser)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q does not parse: %v", next, got, err)
		}
		if r := base.ResolveReference(u); r.Scheme != "https" || r.Host != "qlibpro.test" || r.User != nil {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, r)
		}
	})
}

// FuzzParseCodes checks code lists (?symbols=): at most maxStreamCodes valid
// upper-case codes without repeats, in the order given; refusals name the
// parameter with a short message; the list written back reads the same.
func FuzzParseCodes(f *testing.F) {
	for _, s := range []string{"BHP,CBA", " bhp , cba,,BHP ", "", " , ", "B<X", "BHP," + strings.Repeat("X", 100), "ABCDEFGHIJ,ab1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		codes, err := parseCodes(raw, "symbols")
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "symbols" || len(ae.Message) > 200 {
				t.Fatalf("parseCodes(%q) error %v", raw, err)
			}
			return
		}
		if len(codes) > maxStreamCodes {
			t.Fatalf("%d codes", len(codes))
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !hub.ValidCode(c) || seen[c] || !utf8.ValidString(c) {
				t.Fatalf("parseCodes(%q) = %v", raw, codes)
			}
			seen[c] = true
		}
		if strings.TrimSpace(raw) == "" && codes != nil {
			t.Fatalf("blank list read as %v", codes)
		}
		again, err := parseCodes(strings.Join(codes, ","), "symbols")
		if err != nil || !slices.Equal(again, codes) {
			t.Fatalf("%v written back reads as %v, %v", codes, again, err)
		}
	})
}

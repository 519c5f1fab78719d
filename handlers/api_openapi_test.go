package handlers_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/handlers/openapi"
)

var echoParamRe = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPICoversEveryAPIRoute fails when a route under /api in the Echo
// router is missing from the OpenAPI document, or the document names an
// operation the router does not serve; and checks the document is served.
func TestOpenAPICoversEveryAPIRoute(t *testing.T) {
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", spec.OpenAPI)
	}
	inSpec := map[string]bool{}
	for p, ops := range spec.Paths {
		for m := range ops {
			inSpec[strings.ToUpper(m)+" "+p] = true
		}
	}
	app, b := servedApp(t, nil)
	inRouter := map[string]bool{}
	for _, r := range app.HTTP.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		inRouter[r.Method+" "+echoParamRe.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range inRouter {
		if !inSpec[k] {
			missing = append(missing, k)
		}
	}
	for k := range inSpec {
		if !inRouter[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(inRouter) < 40 {
		t.Fatalf("%d routes; not in the spec: %v; in the spec but not routed: %v", len(inRouter), missing, extra)
	}
	code, body, hdr := b.api("GET", "/api/openapi.json", "", "")
	if code != http.StatusOK || body != string(openapi.JSON) || !strings.Contains(hdr.Get("Cache-Control"), "public") {
		t.Fatalf("GET /api/openapi.json: %d %q %.100s", code, hdr.Get("Cache-Control"), body)
	}
}

// Package openapi holds the OpenAPI 3.1 document of the JSON API
// (openapi.json), embedded so the server and the tests read the same bytes.
package openapi

import _ "embed"

// JSON is the OpenAPI 3.1 document served at /api/openapi.json.
//
//go:embed openapi.json
var JSON []byte

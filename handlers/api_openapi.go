package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/handlers/openapi"
)

// apiOpenAPIHandler serves the API's OpenAPI 3.1 document.
type apiOpenAPIHandler struct{}

// handleSpec answers GET /api/openapi.json: public, and cacheable for an hour.
func (apiOpenAPIHandler) handleSpec(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "application/json", openapi.JSON)
}

package web_test

import (
	"testing"

	"github.com/runwayhq/runway/web"
)

// apiRoutes returns the routes a server registers.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	return web.New(web.Options{}).Routes()
}

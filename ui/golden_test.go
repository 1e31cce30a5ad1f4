package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/runwayhq/runway/runwaytest"
)

// TestGolden keeps the pages people read most under review: run
// `go test ./ui -run Golden -update` after an intended change and read
// the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	p := newPlatform(t)
	for _, tt := range []struct{ name, role, path string }{
		{"apps", "admin", "/apps"},
		{"apps-search", "developer", "/apps?q=e&tier=2"},
		{"app", "team-lead", "/apps/expense-approvals"},
		{"app-hidden", "no role", "/apps/ledger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cookie, csrf := p.signIn(t, tt.role)
			req, err := http.NewRequest(http.MethodGet, p.srv.URL+tt.path, nil)
			must(t, err)
			req.AddCookie(cookie)
			res := p.do(t, "", req)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			// The CSRF token is random per session.
			page := strings.ReplaceAll(res.body, csrf, "CSRF-TOKEN")
			runwaytest.Golden(t, "testdata/"+tt.name+".golden", []byte(page))
		})
	}
}

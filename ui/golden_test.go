package ui_test

import (
	"fmt"
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
	q := newPlatform(t)
	rq := withRequests(t, q)
	expense := fmt.Sprintf("/approvals/%d", rq.expense)
	for _, tt := range []struct {
		name, role, path string
		requests         bool // on the platform with promotion requests
	}{
		{"apps", "admin", "/apps", false},
		{"apps-search", "developer", "/apps?q=e&tier=2", false},
		{"app", "team-lead", "/apps/expense-approvals", false},
		{"app-hidden", "no role", "/apps/ledger", false},
		{"approvals", "team-lead", "/approvals", true},
		{"approval", "team-lead", expense, true},
		{"approval-submitter", "developer", expense, true},
		{"approval-fallback", "platform", fmt.Sprintf("/approvals/%d", rq.ledger), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := p
			if tt.requests {
				p = q
			}
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

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
	d := newPlatform(t)
	ds := withDeployments(t, d)
	for _, tt := range []struct {
		name, role, path string
		requests         bool // on the platform with promotion requests
		deployments      bool // on the platform with deployments
	}{
		{"apps", "admin", "/apps", false, false},
		{"apps-search", "developer", "/apps?q=e&tier=2", false, false},
		{"app", "team-lead", "/apps/expense-approvals", false, false},
		{"app-hidden", "no role", "/apps/ledger", false, false},
		{"approvals", "team-lead", "/approvals", true, false},
		{"approval", "team-lead", expense, true, false},
		{"approval-submitter", "developer", expense, true, false},
		{"approval-fallback", "platform", fmt.Sprintf("/approvals/%d", rq.ledger), true, false},
		{"deployment-canary", "developer", fmt.Sprintf("/deployments/%d", ds.canary), false, true},
		{"app-deployments", "developer", "/apps/expense-approvals", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := p
			switch {
			case tt.requests:
				p = q
			case tt.deployments:
				p = d
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

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
	f := newPlatform(t)
	withFlags(t, f)
	for _, tt := range []struct {
		name, role, path string
		requests         bool // on the platform with promotion requests
		deployments      bool // on the platform with deployments
		flags            bool // on the platform with flags and secrets
	}{
		{"apps", "admin", "/apps", false, false, false},
		{"apps-search", "developer", "/apps?q=e&tier=2", false, false, false},
		{"app", "team-lead", "/apps/expense-approvals", false, false, false},
		{"app-hidden", "no role", "/apps/ledger", false, false, false},
		{"approvals", "team-lead", "/approvals", true, false, false},
		{"approval", "team-lead", expense, true, false, false},
		{"approval-submitter", "developer", expense, true, false, false},
		{"approval-fallback", "platform", fmt.Sprintf("/approvals/%d", rq.ledger), true, false, false},
		{"deployment-canary", "developer", fmt.Sprintf("/deployments/%d", ds.canary), false, true, false},
		{"app-deployments", "developer", "/apps/expense-approvals", false, true, false},
		{"flags", "team-lead", flagList, false, false, true},
		{"flag", "developer", prodCheckout, false, false, true},
		{"flag-killed", "team-lead", stageCheckout, false, false, true},
		{"secrets", "developer", wikiSecretPath, false, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := p
			switch {
			case tt.requests:
				p = q
			case tt.deployments:
				p = d
			case tt.flags:
				p = f
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

package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// TestDeploymentRoutes: a deployment, its rollback, its runbook and the
// app's logs, as their users call them. The fixture runs no runtime: its
// deployments are records, and a rollback of one in its canary says the
// server cannot move traffic.
func TestDeploymentRoutes(t *testing.T) {
	p := newPlatform(t)
	wiki, ledger := fmt.Sprint(p.deployments["wiki"]), fmt.Sprint(p.deployments["ledger"])
	// Ledger's deployment is made a record shaped like a canary (at its
	// second step, half the traffic), as the deployer would leave one.
	if _, err := p.store.ChangeDeployment(runway.WithActor(t.Context(), "runway"), p.deployments["ledger"], func(tx *runway.DeploymentTx) error {
		d := tx.Deployment
		d.State, d.Stable, d.Step, d.Weight = runway.DeploymentCanary, "c0", 1, 50
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, who, method, path string
		body                    any
		status                  int
		has, hasNot             []string
	}{
		{"a queued deployment", "developer", "GET", "/api/v1/deployments/" + wiki, nil, 200,
			[]string{`"state": "queued"`, `"in_progress": true`, `"can_roll_back": false`, `"name": "wiki"`}, []string{`"canary":`}},
		{"a canary, as an admin", "admin", "GET", "/api/v1/deployments/" + ledger, nil, 200,
			[]string{`"state": "canary"`, `"can_roll_back": true`, "runway rollback ledger --env sandbox"}, nil},
		{"a deployment of another team", "developer", "GET", "/api/v1/deployments/" + ledger, nil, 403, []string{"members of the app's team"}, nil},
		{"no such deployment", "admin", "GET", "/api/v1/deployments/999", nil, 404, []string{"there is no deployment 999"}, nil},
		{"a bad id", "admin", "GET", "/api/v1/deployments/x", nil, 400, []string{"a deployment id is a number"}, nil},
		{"roll back a queued one", "developer", "POST", "/api/v1/deployments/" + wiki + "/rollback", map[string]string{"reason": "errors"}, 409,
			[]string{"is not in its canary: it is queued and takes no users' traffic yet"}, nil},
		{"roll back without a reason", "developer", "POST", "/api/v1/deployments/" + wiki + "/rollback", map[string]string{}, 400,
			[]string{"say why you roll it back"}, nil},
		{"roll back another team's", "developer", "POST", "/api/v1/deployments/" + ledger + "/rollback", map[string]string{"reason": "errors"}, 403,
			[]string{"you may not roll back ledger: developers and team leads of team data (and admins) may"}, nil},
		{"security may not roll back", "security", "POST", "/api/v1/deployments/" + ledger + "/rollback", map[string]string{"reason": "errors"}, 403, nil, nil},
		{"roll back a canary this server does not run", "admin", "POST", "/api/v1/deployments/" + ledger + "/rollback", map[string]string{"reason": "errors"}, 503,
			[]string{"this server runs no apps, so it cannot move their traffic"}, nil},
		{"runbook", "developer", "GET", "/api/v1/deployments/" + wiki + "/runbook", nil, 200,
			[]string{"# Runbook: wiki in sandbox", "**queued**", "## How to roll back", "wiki has no feature flags in sandbox", "http://runway.test/deployments/" + wiki}, []string{`"error"`}},
		{"runbook of another team", "developer", "GET", "/api/v1/deployments/" + ledger + "/runbook", nil, 403, nil, nil},
		{"logs of the sandbox", "developer", "GET", "/api/v1/apps/wiki/logs?environment=sandbox&lines=50", nil, 200,
			[]string{`"version": "c1"`, `"log": "log of wiki/sandbox/c1, last 50 lines\n"`, `"state": "queued"`}, nil},
		{"logs default to production", "developer", "GET", "/api/v1/apps/wiki/logs", nil, 404, []string{"wiki has no deployment in production"}, nil},
		{"logs of a version never deployed", "developer", "GET", "/api/v1/apps/wiki/logs?environment=sandbox&version=c9", nil, 404, []string{"c9 was never deployed to sandbox"}, nil},
		{"too many lines", "developer", "GET", "/api/v1/apps/wiki/logs?lines=0", nil, 400, []string{"lines must be a number from 1 to 10000"}, nil},
		{"logs of another team", "developer", "GET", "/api/v1/apps/ledger/logs?environment=sandbox", nil, 403, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := p.do(t, p.tokens[c.who], c.method, c.path, c.body)
			if r.status != c.status {
				t.Fatalf("%s %s as %q: status %d, want %d\n%s", c.method, c.path, c.who, r.status, c.status, r.body)
			}
			for _, s := range c.has {
				if !strings.Contains(r.body, s) {
					t.Errorf("body lacks %q:\n%s", s, r.body)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(r.body, s) {
					t.Errorf("body has %q:\n%s", s, r.body)
				}
			}
		})
	}
	r := p.do(t, p.tokens["developer"], "GET", "/api/v1/deployments/"+wiki+"/runbook", nil)
	if ct := r.header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
		t.Errorf("the runbook's Content-Type is %q", ct)
	}
	if d, err := p.store.FindDeployment(t.Context(), p.deployments["ledger"]); err != nil || d.State != runway.DeploymentCanary {
		t.Errorf("after the refused rollbacks the canary is %+v (%v)", d, err)
	}
}

package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// TestScenarios drives the API as its users do: method, path, who, the
// status, and what the body must and must not contain.
func TestScenarios(t *testing.T) {
	p := newPlatform(t)
	cases := []struct {
		name, who, method, path string
		body                    any
		status                  int
		has, hasNot             []string
	}{
		{"health needs no token", "", "GET", "/healthz", nil, 200, []string{`"ok"`}, nil},
		{"ready when the database answers", "", "GET", "/readyz", nil, 200, []string{`"ready"`}, nil},
		{"metrics", "", "GET", "/metrics", nil, 200, []string{"runway_http_requests_total", "go_goroutines"}, nil},
		{"openapi is public", "", "GET", "/api/v1/openapi.json", nil, 200, []string{`"openapi": "3.1.0"`}, nil},
		{"no token", "", "GET", "/api/v1/apps", nil, 401, []string{`"code": "unauthorized"`, "sign in first", `"request_id"`}, nil},
		{"bad token", "bogus", "GET", "/api/v1/apps", nil, 401, []string{"unknown, revoked or expired"}, []string{"bogus"}},
		{"apps list", "no role", "GET", "/api/v1/apps", nil, 200, []string{`"name": "wiki"`, `"name": "ledger"`, `"next": null`}, nil},
		{"apps by team", "no role", "GET", "/api/v1/apps?team=data", nil, 200, []string{`"ledger"`}, []string{`"wiki"`}},
		{"apps search", "no role", "GET", "/api/v1/apps?q=WIK", nil, 200, []string{`"wiki"`}, []string{`"ledger"`}},
		{"apps page", "no role", "GET", "/api/v1/apps?limit=1", nil, 200, []string{`"next": `}, []string{`"next": null`}},
		{"bad limit", "no role", "GET", "/api/v1/apps?limit=5000", nil, 400, []string{"limit must be a number from 1 to 1000"}, nil},
		{"bad tier", "no role", "GET", "/api/v1/apps?tier=9", nil, 400, []string{"tier must be 1, 2 or 3"}, nil},
		{"app", "no role", "GET", "/api/v1/apps/wiki", nil, 200, []string{`"team": "web"`, `"tier": 2`}, nil},
		{"missing app", "no role", "GET", "/api/v1/apps/nope", nil, 404, []string{`there is no app named \"nope\"`}, nil},
		{"candidate with the server's decision", "developer", "GET", "/api/v1/apps/wiki/candidates/1", nil, 200,
			[]string{`"decision": "needs_approval"`, `"tier": 2`, `"team-lead"`, `"name": "policy"`}, []string{`"decision": "pass"`}},
		{"candidates of another team", "developer", "GET", "/api/v1/apps/ledger/candidates", nil, 403, []string{"members of the app's team, security, platform and admins may"}, nil},
		{"security reads every team", "security", "GET", "/api/v1/apps/ledger/candidates", nil, 200, []string{`"number": 1`}, []string{`"report": {`}},
		{"bad candidate number", "developer", "GET", "/api/v1/apps/wiki/candidates/x", nil, 400, []string{"a candidate number"}, nil},
		{"sbom", "developer", "GET", "/api/v1/apps/wiki/candidates/1/sbom", nil, 200, []string{`"bomFormat":"CycloneDX"`}, nil},
		{"sbom not submitted", "developer", "GET", "/api/v1/apps/wiki/candidates/1/sbom?format=spdx", nil, 404, []string{"without a spdx SBOM"}, nil},
		{"sbom bad format", "developer", "GET", "/api/v1/apps/wiki/candidates/1/sbom?format=swid", nil, 400, []string{"use cyclonedx or spdx"}, nil},
		{"submit a fake sbom", "developer", "POST", "/api/v1/candidates", func() any {
			s := submission("wiki", "web")
			s.SBOMs.SPDX = []byte(`{"spdxVersion":"SPDX-9"}`)
			return s
		}(), 400, []string{`says spdxVersion is \"SPDX-9\"`}, nil},
		{"submit for another team", "developer", "POST", "/api/v1/candidates", submission("ledger", "data"), 403, []string{"only developers and team leads of the app's team"}, nil},
		{"submit unknown field", "developer", "POST", "/api/v1/candidates", `{"manifest":"","bogus":1}`, 400, []string{`unknown field \"bogus\"`}, nil},
		{"submit bad manifest", "developer", "POST", "/api/v1/candidates", func() any {
			s := submission("wiki", "web")
			s.Manifest = []byte("name: wiki\nowner: web\nrisk: low\naudience: team\nintergrations: []\n")
			return s
		}(), 400, []string{"runway.yaml has problems", "intergrations"}, nil},
		{"submit wrong report", "developer", "POST", "/api/v1/candidates", func() any {
			s := submission("wiki", "web")
			s.Report.App = "other"
			return s
		}(), 400, []string{`the check report is for app \"other\"`}, nil},
		{"submit", "developer", "POST", "/api/v1/candidates", submission("wiki", "web"), 201, []string{`"number": 2`, `"submitted_by": "user:developer@example.com"`}, nil},
		{"not json", "admin", "POST", "/api/v1/teams", "{", 400, []string{"not the JSON this endpoint takes"}, nil},
		{"create team", "platform", "POST", "/api/v1/teams", map[string]string{"name": "ops"}, 201, []string{`"name": "ops"`}, nil},
		{"team exists", "platform", "POST", "/api/v1/teams", map[string]string{"name": "web"}, 409, []string{`a team named \"web\" already exists`}, nil},
		{"create user", "admin", "POST", "/api/v1/users", map[string]any{"email": "new@example.com", "grants": []map[string]string{{"role": "developer", "team": "ops"}}}, 201, []string{`"team": "ops"`}, nil},
		{"token", "developer", "POST", "/api/v1/tokens", map[string]any{"name": "ci", "scopes": []string{"submit"}}, 201, []string{`"secret": "rwy_`, "only time the token is shown"}, nil},
		{"token bad scope", "developer", "POST", "/api/v1/tokens", map[string]any{"name": "ci", "scopes": []string{"root"}}, 400, []string{`unknown scope \"root\"`}, nil},
		{"token too long", "developer", "POST", "/api/v1/tokens", map[string]any{"name": "ci", "expires_in_days": 9999}, 400, []string{"expires_in_days must be from 1 to 365"}, nil},
		{"revoke someone else's token (admin's)", "developer", "DELETE", "/api/v1/tokens/1", nil, 404, []string{"there is no token 1 of this user"}, nil},
		{"audit", "security", "GET", "/api/v1/audit?subject=app:wiki", nil, 200, []string{`"action": "app.create"`, `"prev_hash"`}, nil},
		{"audit needs security", "team-lead", "GET", "/api/v1/audit", nil, 403, []string{"security and admins may"}, nil},
		{"unknown route", "admin", "GET", "/api/v1/nothing", nil, 404, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := p.tokens[c.who]
			if c.who == "bogus" {
				token = "bogus"
			}
			r := p.do(t, token, c.method, c.path, c.body)
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
			if r.header.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID")
			}
		})
	}
	logs := p.logs.String()
	for _, secret := range p.tokens {
		if strings.Contains(logs, secret) {
			t.Fatal("a token secret appears in the logs")
		}
	}
	if !strings.Contains(logs, `"route":"GET /api/v1/apps/{app}"`) {
		t.Errorf("logs lack the route pattern:\n%s", logs)
	}
}

// TestEveryRouteRoleAndTeam calls every API route as every role, on team
// web's app and team data's, and compares the outcome with what the access
// policy allows: any unexpected allow (or refusal) fails.
func TestEveryRouteRoleAndTeam(t *testing.T) {
	p := newPlatform(t)
	type target struct {
		method, path string
		action       access.Action
		team         string
		body         func() any
		// allowed, when set, decides who may beyond access: release's and
		// elevate's own rules (eligibility, separation of duties).
		allowed func(who string) bool
	}
	var targets []target
	n := 0 // makes each created team and user new
	for _, team := range []string{"web", "data"} {
		app := map[string]string{"web": "wiki", "data": "ledger"}[team]
		targets = append(targets,
			target{"GET", "/api/v1/apps/" + app + "/candidates", access.ReadCandidates, team, nil, nil},
			target{"GET", "/api/v1/apps/" + app + "/candidates/1", access.ReadCandidates, team, nil, nil},
			target{"GET", "/api/v1/apps/" + app + "/candidates/1/sbom", access.ReadCandidates, team, nil, nil},
			target{"POST", "/api/v1/candidates", access.Submit, team, func() any { return submission(app, team) }, nil},
			target{"POST", "/api/v1/apps/" + app + "/promotions", access.Promote, team, func() any { return map[string]string{"environment": "staging"} }, nil},
			target{"GET", "/api/v1/apps/" + app + "/deployments", access.ReadCandidates, team, nil, nil},
			target{"GET", "/api/v1/apps/" + app + "/logs?environment=sandbox", access.ReadCandidates, team, nil, nil},
		)
		// Deployments: the sandbox deployment is queued (no runtime runs
		// here), so a rollback by someone who may is refused with 409,
		// not 403.
		dep := fmt.Sprint(p.deployments[app])
		targets = append(targets,
			target{"GET", "/api/v1/deployments/" + dep, access.ReadCandidates, team, nil, nil},
			target{"GET", "/api/v1/deployments/" + dep + "/runbook", access.ReadCandidates, team, nil, nil},
			target{"POST", "/api/v1/deployments/" + dep + "/rollback", access.Promote, team, func() any { return map[string]string{"reason": "errors after the release"} }, nil},
		)
		id := fmt.Sprint(p.promotions[app])
		// A tier-2 request needs a team lead of the app's team; admins
		// may meet any requirement. Team data's only lead submitted
		// ledger, so platform approves in their place. The requester may
		// cancel; so may an admin.
		lead := func(who string) bool {
			return who == "admin" || (who == "team-lead" && team == "web") || (who == "platform" && team == "data")
		}
		targets = append(targets,
			target{"GET", "/api/v1/promotions/" + id, access.ReadCandidates, team, nil, nil},
			target{"POST", "/api/v1/promotions/" + id + "/approve", access.Approve, team, func() any { return map[string]string{} }, lead},
			target{"POST", "/api/v1/promotions/" + id + "/reject", access.Approve, team, func() any { return map[string]string{"reason": "not now"} }, lead},
			target{"POST", "/api/v1/promotions/" + id + "/cancel", access.Promote, team, func() any { return map[string]string{} }, func(who string) bool { return who == "admin" }},
		)
		// Flags: flags.Service builds on Submit (changes), Approve (the
		// kill switch: team members, security, platform) and
		// ReadCandidates (the list of keys); in production only team
		// leads of the team and admins change flags.
		base := "/api/v1/apps/" + app
		staging, production := base+"/flags/staging/checkout", base+"/flags/production/checkout"
		prodLead := func(who string) bool { return who == "admin" || (who == "team-lead" && team == "web") }
		describe := func() any { return map[string]any{"description": "checkout v2"} }
		targets = append(targets,
			target{"GET", base + "/flags?environment=staging", access.ReadCatalog, team, nil, nil},
			target{"POST", base + "/flags?environment=staging", access.Submit, team, func() any { n++; return map[string]any{"key": fmt.Sprintf("f%d", n), "type": "boolean"} }, nil},
			target{"GET", staging, access.ReadCatalog, team, nil, nil},
			target{"PUT", staging + "?version=1", access.Submit, team, describe, nil},
			target{"PUT", production + "?version=1", access.Submit, team, describe, prodLead},
			target{"POST", staging + "/on", access.Submit, team, nil, nil},
			target{"POST", production + "/on", access.Submit, team, nil, prodLead},
			target{"POST", staging + "/off", access.Submit, team, nil, nil},
			target{"POST", production + "/kill", access.Approve, team, func() any { return map[string]string{"reason": "incident 7: checkout fails"} }, nil},
			target{"GET", staging + "/history", access.ReadCatalog, team, nil, nil},
			target{"POST", staging + "/evaluate", access.ReadCatalog, team, func() any { return map[string]any{"context": map[string]any{"targetingKey": "ana"}} }, nil},
			target{"GET", base + "/flag-groups", access.ReadCatalog, team, nil, nil},
			target{"GET", base + "/flag-groups/beta", access.ReadCatalog, team, nil, nil},
			target{"PUT", base + "/flag-groups/beta", access.Submit, team, func() any { return map[string]any{"keys": []string{"ana", "bo"}} }, nil},
			target{"GET", base + "/flag-keys", access.ReadCandidates, team, nil, nil},
			target{"POST", base + "/flag-keys", access.Submit, team, func() any { return map[string]string{"environment": "staging", "name": "web server"} }, nil},
			target{"DELETE", base + "/flag-keys/" + fmt.Sprint(p.flagKeys[app]), access.Submit, team, nil, nil},
			target{"GET", base + "/secrets", access.ReadSecrets, team, nil, nil},
			target{"PUT", base + "/secrets/SLACK_BOT_TOKEN?environment=staging", access.ManageSecrets, team, func() any { return p.canary }, nil},
			target{"DELETE", base + "/secrets/OLD_TOKEN", access.ManageSecrets, team, nil, nil},
		)
	}
	// Team-lead of data is approved by a team lead of data or an admin.
	accessID := fmt.Sprint(p.access)
	adminOnly := func(who string) bool { return who == "admin" }
	targets = append(targets,
		target{"GET", "/api/v1/promotions", access.ReadCatalog, "", nil, nil},
		target{"GET", "/api/v1/promotions/inbox", access.ReadCatalog, "", nil, nil},
		target{"GET", "/api/v1/metrics/approvals", access.ReadCatalog, "", nil, nil},
		target{"POST", "/api/v1/access", access.RequestAccess, "", func() any {
			return map[string]any{"role": "developer", "team": "data", "hours": 1, "reason": "incident review for ticket 42"}
		}, nil},
		target{"GET", "/api/v1/access", access.ReadCatalog, "", nil, nil},
		target{"POST", "/api/v1/access/" + accessID + "/approve", access.ReadCatalog, "", func() any { return map[string]string{} }, adminOnly},
		target{"POST", "/api/v1/access/" + accessID + "/reject", access.ReadCatalog, "", func() any { return map[string]string{"reason": "no"} }, adminOnly},
		target{"POST", "/api/v1/access/" + accessID + "/revoke", access.ReadCatalog, "", func() any { return map[string]string{} }, adminOnly},
	)
	targets = append(targets,
		target{"GET", "/api/v1/me", access.ReadCatalog, "", nil, nil},
		target{"GET", "/api/v1/teams", access.ReadCatalog, "", nil, nil},
		target{"POST", "/api/v1/teams", access.CreateTeam, "", func() any { n++; return map[string]string{"name": fmt.Sprintf("t%d", n)} }, nil},
		target{"GET", "/api/v1/apps", access.ReadCatalog, "", nil, nil},
		target{"GET", "/api/v1/apps/wiki", access.ReadCatalog, "", nil, nil},
		target{"GET", "/api/v1/candidates", access.ReadCandidates, "", nil, nil},
		target{"POST", "/api/v1/users", access.CreateUser, "", func() any { n++; return map[string]string{"email": fmt.Sprintf("u%d@example.com", n)} }, nil},
		target{"POST", "/api/v1/tokens", access.ManageTokens, "", func() any { return map[string]string{"name": "x"} }, nil},
		target{"DELETE", "/api/v1/tokens/999999", access.ManageTokens, "", nil, nil},
		target{"GET", "/api/v1/audit", access.ReadAudit, "", nil, nil},
		target{"GET", "/api/v1/audit/head", access.ReadAudit, "", nil, nil},
	)
	covered := map[string]bool{}
	for who := range roles {
		for _, tg := range targets {
			body := any(nil)
			if tg.body != nil {
				body = tg.body()
			}
			r := p.do(t, p.tokens[who], tg.method, tg.path, body)
			user, err := p.store.FindUser(t.Context(), strings.ReplaceAll(who, " ", "-")+"@example.com")
			must(t, err)
			allowed := access.Allowed(access.Principal{User: user}, tg.action, tg.team)
			if tg.allowed != nil {
				allowed = allowed && tg.allowed(who)
			}
			denied := r.status == http.StatusForbidden
			if allowed == denied {
				t.Errorf("%s %s as %s (team %q): status %d, but access allows=%t\n%s", tg.method, tg.path, who, tg.team, r.status, allowed, r.body)
			}
			if !allowed && r.status != http.StatusForbidden {
				t.Errorf("%s %s as %s: refused with %d, want 403", tg.method, tg.path, who, r.status)
			}
			// Anonymous callers are always refused with 401.
			if a := p.do(t, "", tg.method, tg.path, body); a.status != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: status %d, want 401", tg.method, tg.path, a.status)
			}
			covered[tg.method+" "+routePattern(tg.path)] = true
		}
	}
	// Every registered route must be covered here (openapi.json is public).
	for _, route := range routes(t, p) {
		if !covered[route] && route != "GET /api/v1/openapi.json" {
			t.Errorf("route %s is not covered by the route × role × team test", route)
		}
	}
}

// routePattern turns a concrete test path back into its route pattern.
func routePattern(path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(path, "/")
	for i := range parts {
		switch {
		case i == 4 && parts[3] == "apps":
			parts[i] = "{app}"
		case i == 6 && parts[5] == "candidates":
			parts[i] = "{number}"
		case i == 6 && parts[5] == "flags":
			parts[i] = "{env}"
		case i == 7 && parts[5] == "flags":
			parts[i] = "{key}"
		case i == 6 && (parts[5] == "flag-groups" || parts[5] == "secrets"):
			parts[i] = "{name}"
		case i == 6 && parts[5] == "flag-keys":
			parts[i] = "{id}"
		case i == 4 && (parts[3] == "tokens" || parts[3] == "access" || parts[3] == "promotions" || parts[3] == "deployments") && parts[i] != "inbox":
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// routes returns the API's routes as the OpenAPI document lists them.
func routes(t *testing.T, p *platform) []string {
	t.Helper()
	r := p.do(t, "", "GET", "/api/v1/openapi.json", nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	must(t, json.Unmarshal([]byte(r.body), &doc))
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIMatchesRoutes keeps the document and the real routes equal.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	p := newPlatform(t)
	got := routes(t, p)
	want := append(slices.Clone(apiRoutes(t)), "GET /api/v1/openapi.json")
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("openapi.json paths:\n%v\nregistered routes:\n%v", got, want)
	}
}

func TestBodyLimit(t *testing.T) {
	p := newPlatform(t)
	big := `{"manifest":"` + strings.Repeat("A", 33<<20) + `"}`
	r := p.do(t, p.tokens["developer"], "POST", "/api/v1/candidates", big)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "larger than") {
		t.Fatalf("a 33 MB body: %d %s", r.status, r.body)
	}
	if h, err := p.store.AuditHead(t.Context()); err != nil || h.Seq == 0 {
		t.Fatalf("audit head %v %v", h, err)
	}
	if _, err := runway.VerifyAudit(t.Context(), p.store); err != nil {
		t.Fatal(err)
	}
}

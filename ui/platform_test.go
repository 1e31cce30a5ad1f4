package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/session"
	"github.com/runwayhq/runway/sqlstore"
	"github.com/runwayhq/runway/ui"
)

// platform is the web UI on a fresh SQLite store, with one person per role
// (team roles on team web) and three apps submitted through the real
// release service and OPA engine: wiki (web, personal, ready), ledger
// (data, team use, needs approval) and expense-approvals (web, needs a
// team lead's approval, with findings). Promotions run on the real
// release.Promoter with one OPA engine per environment.
// Flags run on the real flags.Service, secrets on the real secrets.Service
// with an envelope-encrypted backend in the same store.
// Times come from a fixed clock, so that pages are stable.
type platform struct {
	srv      *httptest.Server
	store    *sqlstore.DB
	release  *release.Service
	promoter *release.Promoter
	flags    *flags.Service
	secrets  *secrets.Service
	sessions *session.Manager
	ui       *ui.UI
	clock    *runwaytest.Clock
	tokens   map[string]string // role → token secret
	users    map[string]*runway.User
}

// roles are the people of the platform, by the name tests use.
var roles = []struct {
	name   string
	grants []runway.RoleGrant
}{
	{"developer", []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "web"}}},
	{"team-lead", []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: "web"}}},
	{"security", []runway.RoleGrant{{Role: runway.RoleSecurity}}},
	{"platform", []runway.RoleGrant{{Role: runway.RolePlatform}}},
	{"admin", []runway.RoleGrant{{Role: runway.RoleAdmin}}},
	{"no role", nil},
}

func newPlatform(t testing.TB, configure ...func(*ui.Options)) *platform {
	t.Helper()
	ctx := runwaytest.Ctx
	clock := runwaytest.NewClock()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db"), Now: clock.Now})
	must(t, err)
	t.Cleanup(func() { store.Close() })
	engine, err := opa.New(context.Background(), opa.Options{})
	must(t, err)
	engines, err := opa.NewEnvironmentEngines(context.Background(), opa.Options{Now: clock.Now})
	must(t, err)
	sessions, err := session.New(session.Options{Key: []byte(strings.Repeat("k", 32))})
	must(t, err)
	promoter := &release.Promoter{Apps: store, Candidates: store, Promotions: store, People: store, Policies: engines, Now: clock.Now,
		URL: func(id int64) string { return fmt.Sprintf("http://runway.test/approvals/%d", id) }}
	// No runtime runs here: the deployer shows deployment records and
	// refuses to move traffic.
	deployer := &release.Deployer{Apps: store, Candidates: store, Deployments: store,
		URL: func(id int64) string { return fmt.Sprintf("http://runway.test/deployments/%d", id) }}
	masterKey, _ := secrets.GenerateMasterKey()
	p := &platform{store: store, sessions: sessions, clock: clock, tokens: map[string]string{}, users: map[string]*runway.User{},
		release: &release.Service{Apps: store, Candidates: store, Decider: engine, Promoter: promoter}, promoter: promoter,
		flags:   &flags.Service{Flags: store, Keys: store, Apps: store, Audit: store},
		secrets: secrets.New(secrets.Options{Backend: secrets.NewEnvelope(store, masterKey), Apps: store, Audit: store})}
	opt := ui.Options{Store: store, Sessions: sessions, Promoter: promoter, Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
		Flags: p.flags, Secrets: p.secrets,
		Deployer: deployer, Runbooks: &release.Runbooks{Deployer: deployer, Flags: store, Audit: store, People: store, Promotions: store}}
	for _, c := range configure {
		c(&opt)
	}
	p.ui, err = ui.New(opt)
	must(t, err)
	mux := http.NewServeMux()
	p.ui.Register(mux)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)

	must(t, store.CreateTeam(ctx, &runway.Team{Name: "web", DisplayName: "Web team"}))
	must(t, store.CreateTeam(ctx, &runway.Team{Name: "data"}))
	for _, r := range roles {
		p.addUser(t, r.name, strings.ReplaceAll(r.name, " ", "-")+"@example.com", r.grants)
	}
	p.addUser(t, "lead-data", "lead-data@example.com", []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: "data"}})
	p.submit(t, "team-lead", submission("wiki", "web", "A personal wiki.", "personal", nil))
	clock.Advance(30 * time.Minute)
	p.submit(t, "lead-data", submission("ledger", "data", "", "team", nil))
	clock.Advance(2 * time.Hour)
	p.submit(t, "team-lead", expenseApprovals())
	clock.Advance(3 * time.Hour)
	return p
}

// addUser creates a person with a token named after them.
func (p *platform) addUser(t testing.TB, name, email string, grants []runway.RoleGrant) {
	t.Helper()
	u := &runway.User{Email: email, Name: name, Grants: grants}
	must(t, p.store.CreateUser(runwaytest.Ctx, u))
	secret := runway.NewTokenSecret()
	must(t, p.store.CreateToken(runwaytest.Ctx, &runway.Token{UserID: u.ID, Name: "test", ExpiresAt: p.clock.Now().Add(30 * 24 * time.Hour)}, secret))
	p.tokens[name], p.users[name] = secret, u
}

// submit sends a submission as the person named role, as `runway submit`
// would.
func (p *platform) submit(t testing.TB, role string, sub release.Submission) *runway.Candidate {
	t.Helper()
	c, err := p.release.Submit(context.Background(), access.Principal{User: p.users[role]}, sub)
	if err != nil {
		t.Fatalf("submit %s: %v", sub.Report.App, err)
	}
	return c
}

// submission is what `runway submit` sends for a small app with no
// sensitive data, used by its owner alone or by its team.
func submission(app, team, description, audience string, findings []runway.Finding) release.Submission {
	manifest := fmt.Sprintf("name: %s\nowner: %s\ndescription: %q\nrisk: low\naudience: %s\ndata: []\nrun:\n  test: npm test\n", app, team, description, audience)
	if findings == nil {
		findings = []runway.Finding{}
	}
	return release.Submission{
		Manifest: []byte(manifest),
		Report: &runway.Report{Schema: runway.ReportSchema, App: app, Decision: runway.DecisionPass, Tier: 1,
			Checks: []runway.CheckResult{
				{Name: "manifest", Status: runway.StatusPass}, {Name: "test", Status: runway.StatusPass, Summary: "12 tests passed"},
				{Name: "secrets", Status: runway.StatusPass}, {Name: "sast", Status: runway.StatusPass}, {Name: "sbom", Status: runway.StatusPass},
				{Name: "vulnerabilities", Status: runway.StatusPass, Details: map[string]any{"db_age_days": 1}},
			},
			Findings: findings,
			SBOM:     &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 1}},
		Inventory: &runway.Inventory{Components: []runway.Component{
			{Ecosystem: "npm", Name: "express", Version: "5.1.0", PURL: "pkg:npm/express@5.1.0", Licenses: []string{"MIT"}, Direct: true}}},
		SourceDigest: "sha256:" + strings.Repeat("ab", 32),
	}
}

// expenseApprovals is a team app with internal data and two findings: the
// server's policies raise it to tier 2, which needs a team lead.
func expenseApprovals() release.Submission {
	sub := submission("expense-approvals", "web", "", "team", []runway.Finding{
		{ID: "f1", Check: "lint", Kind: runway.KindLint, Severity: runway.SeverityLow, Title: "Unused variable total",
			File: "app/server.js", Line: 12, Rule: "no-unused-vars", Fix: "Remove the variable or use it."},
		{ID: "f2", Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityMedium,
			Title: "express 5.1.0 has a known vulnerability: open redirect", File: "package-lock.json",
			Rule: "GHSA-0000-0000-0000", Advisory: &runway.Advisory{ID: "GHSA-0000-0000-0000"},
			Package: &runway.Package{Ecosystem: "npm", Name: "express", Version: "5.1.0", Fixed: "5.1.1"},
			Fix:     "Upgrade express to 5.1.1 or later."},
	})
	sub.Manifest = []byte("name: expense-approvals\nowner: web\ndescription: Submit expenses and route them to a team lead.\n" +
		"risk: medium\naudience: team\nexpected_users: 60\ndata: [internal]\nrun:\n  test: npm test\n")
	return sub
}

// signIn returns the cookie of a session for the person named role and
// its CSRF token.
func (p *platform) signIn(t testing.TB, role string) (*http.Cookie, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	s := p.sessions.Start(rec, p.users[role].Email)
	return rec.Result().Cookies()[0], s.CSRF
}

type response struct {
	status int
	body   string
	header http.Header
}

// get fetches path as the person named role ("" for nobody), with extra
// headers as name, value pairs. Redirects are not followed.
func (p *platform) get(t testing.TB, role, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.srv.URL+path, nil)
	must(t, err)
	return p.do(t, role, req, headers...)
}

// post sends a form as the person named role.
func (p *platform) post(t testing.TB, role, path string, form url.Values, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+path, strings.NewReader(form.Encode()))
	must(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(t, role, req, headers...)
}

func (p *platform) do(t testing.TB, role string, req *http.Request, headers ...string) response {
	t.Helper()
	if role != "" {
		c, _ := p.signIn(t, role)
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	must(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, err)
	return response{status: res.StatusCode, body: string(body), header: res.Header}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

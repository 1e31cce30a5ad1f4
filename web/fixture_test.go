package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/elevate"
	"github.com/runwayhq/runway/flags"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/secrets"
	"github.com/runwayhq/runway/sqlstore"
	"github.com/runwayhq/runway/web"
)

// platform is a running API on a fresh SQLite store with one person per
// role (team roles on team web) and two apps with a candidate each: wiki
// (team web) and ledger (team data).
type platform struct {
	srv    *httptest.Server
	store  *sqlstore.DB
	tokens map[string]string // role name → token secret
	logs   *lockedWriter
	// promotions are the ids of a pending promotion of wiki and of ledger
	// to staging, and access the id of an access request, all made by
	// requester@example.com (a developer of both teams).
	promotions map[string]int64
	access     int64
	// deployments are the ids of a queued sandbox deployment of wiki and
	// of ledger (promoted by the requester; no runtime runs them here).
	deployments map[string]int64
	// Each app has a boolean flag "checkout" in staging (on) and
	// production (off), a group "beta", a staging flag key (flagKeys
	// holds its id) and the secret OLD_TOKEN for every environment,
	// whose value is canary.
	flagKeys map[string]int64
	canary   string
}

// lockedWriter collects log lines written from request goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

var roles = map[string][]runway.RoleGrant{
	"developer": {{Role: runway.RoleDeveloper, Team: "web"}},
	"team-lead": {{Role: runway.RoleTeamLead, Team: "web"}},
	"security":  {{Role: runway.RoleSecurity}},
	"platform":  {{Role: runway.RolePlatform}},
	"admin":     {{Role: runway.RoleAdmin}},
	"no role":   nil,
}

func newPlatform(t *testing.T) *platform {
	t.Helper()
	ctx := runwaytest.Ctx
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	engine, err := opa.New(context.Background(), opa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedWriter{w: &bytes.Buffer{}}
	engines, err := opa.NewEnvironmentEngines(context.Background(), opa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	promoter := &release.Promoter{Apps: store, Candidates: store, Promotions: store, People: store, Policies: engines}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	masterKey, _ := secrets.GenerateMasterKey()
	appSecrets := secrets.New(secrets.Options{Backend: secrets.NewEnvelope(store, masterKey), Apps: store, Audit: store, Logger: logger})
	// No runtime: the deployer shows deployments and refuses to move
	// traffic it does not run.
	deployer := &release.Deployer{Apps: store, Candidates: store, Deployments: store,
		URL: func(id int64) string { return fmt.Sprintf("http://runway.test/deployments/%d", id) }}
	s := web.New(web.Options{
		Store: store, Release: &release.Service{Apps: store, Candidates: store, Decider: engine, Promoter: promoter},
		Promoter: promoter, Access: &elevate.Service{Grants: store, Apps: store},
		Flags:    &flags.Service{Flags: store, Keys: store, Apps: store, Audit: store},
		Secrets:  appSecrets,
		Deployer: deployer,
		Runbooks: &release.Runbooks{Deployer: deployer, Flags: store, Audit: store, People: store, Promotions: store},
		// A test double of the supervisor's logs: it says what was asked.
		Logs: func(_ context.Context, app string, env runway.Environment, version string, lines int) (string, error) {
			return fmt.Sprintf("log of %s/%s/%s, last %d lines\n", app, env, version, lines), nil
		},
		Ready: store.Ping, Logger: logger, Version: "test",
	})
	p := &platform{srv: httptest.NewServer(s.Handler()), store: store, tokens: map[string]string{}, logs: logs, promotions: map[string]int64{},
		deployments: map[string]int64{}, flagKeys: map[string]int64{}, canary: "canary-" + runway.NewTokenSecret()}
	t.Cleanup(p.srv.Close)
	for _, team := range []string{"web", "data"} {
		must(t, store.CreateTeam(ctx, &runway.Team{Name: team}))
	}
	// In name order, so that IDs are the same in every run: admin's token
	// is token 1.
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		grants := roles[name]
		u := &runway.User{Email: strings.ReplaceAll(name, " ", "-") + "@example.com", Grants: grants}
		must(t, store.CreateUser(ctx, u))
		secret := runway.NewTokenSecret()
		must(t, store.CreateToken(ctx, &runway.Token{UserID: u.ID, Name: "test", ExpiresAt: time.Now().Add(time.Hour)}, secret))
		p.tokens[name] = secret
	}
	for app, team := range map[string]string{"wiki": "web", "ledger": "data"} {
		lead := &runway.User{Email: "lead-" + app + "@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: team}}}
		must(t, store.CreateUser(ctx, lead))
		secret := runway.NewTokenSecret()
		must(t, store.CreateToken(ctx, &runway.Token{UserID: lead.ID, Name: "ci", ExpiresAt: time.Now().Add(time.Hour)}, secret))
		if r := p.do(t, secret, "POST", "/api/v1/candidates", submission(app, team)); r.status != http.StatusCreated {
			t.Fatalf("seeding %s: %d %s", app, r.status, r.body)
		}
	}
	requester := &runway.User{Email: "requester@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "web"}, {Role: runway.RoleDeveloper, Team: "data"}}}
	must(t, store.CreateUser(ctx, requester))
	secret := runway.NewTokenSecret()
	must(t, store.CreateToken(ctx, &runway.Token{UserID: requester.ID, Name: "cli", ExpiresAt: time.Now().Add(time.Hour)}, secret))
	for _, app := range []string{"wiki", "ledger"} {
		r := p.do(t, secret, "POST", "/api/v1/apps/"+app+"/promotions", map[string]string{"environment": "staging"})
		var pr runway.Promotion
		if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &pr) != nil {
			t.Fatalf("promoting %s: %d %s", app, r.status, r.body)
		}
		p.promotions[app] = pr.ID
		r = p.do(t, secret, "POST", "/api/v1/apps/"+app+"/promotions", map[string]string{"environment": "sandbox"})
		if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &pr) != nil || pr.Deployment == 0 {
			t.Fatalf("deploying %s to its sandbox: %d %s", app, r.status, r.body)
		}
		p.deployments[app] = pr.Deployment
	}
	r := p.do(t, secret, "POST", "/api/v1/access", map[string]any{"role": "team-lead", "team": "data", "hours": 2, "reason": "cover for the data lead this afternoon"})
	var g runway.AccessGrant
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &g) != nil {
		t.Fatalf("requesting access: %d %s", r.status, r.body)
	}
	p.access = g.ID
	p.seedFlagsAndSecrets(t, appSecrets)
	return p
}

// seedFlagsAndSecrets gives wiki and ledger a flag, a group, a flag key
// and a secret.
func (p *platform) seedFlagsAndSecrets(t *testing.T, appSecrets *secrets.Service) {
	t.Helper()
	ctx := runwaytest.Ctx
	for _, app := range []string{"wiki", "ledger"} {
		spec := flags.Spec{Key: "checkout", Type: runway.FlagBoolean}
		spec.Defaults()
		var fs []*runway.Flag
		for _, env := range []runway.Environment{runway.EnvStaging, runway.EnvProduction} {
			f := spec.Flag()
			f.App, f.Environment, f.Enabled = app, env, env != runway.EnvProduction
			fs = append(fs, f)
		}
		must(t, p.store.CreateFlags(ctx, fs...))
		must(t, p.store.SaveFlagGroup(ctx, &runway.FlagGroup{App: app, Name: "beta", Keys: []string{"ana"}}))
		k := &runway.FlagKey{App: app, Environment: runway.EnvStaging, Name: "web server"}
		must(t, p.store.CreateFlagKey(ctx, k, runway.NewFlagKeySecret()))
		p.flagKeys[app] = k.ID
		_, err := appSecrets.Set(ctx, runway.SecretRef{App: app, Name: "OLD_TOKEN"}, strings.NewReader(p.canary))
		must(t, err)
	}
}

// submission is what `runway submit` sends for a small team app.
func submission(app, team string) release.Submission {
	manifest := fmt.Sprintf("name: %s\nowner: %s\nrisk: low\naudience: team\ndata: [internal]\nrun:\n  test: npm test\n", app, team)
	return release.Submission{
		Manifest: []byte(manifest),
		Report: &runway.Report{Schema: runway.ReportSchema, App: app, Decision: runway.DecisionPass, Tier: 1,
			Checks: []runway.CheckResult{
				{Name: "manifest", Status: runway.StatusPass}, {Name: "test", Status: runway.StatusPass},
				{Name: "secrets", Status: runway.StatusPass}, {Name: "sast", Status: runway.StatusPass}, {Name: "sbom", Status: runway.StatusPass},
				{Name: "vulnerabilities", Status: runway.StatusPass, Details: map[string]any{"db_age_days": 1}},
			},
			Findings: []runway.Finding{},
			SBOM:     &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 1}},
		Inventory: &runway.Inventory{Components: []runway.Component{
			{Ecosystem: "npm", Name: "express", Version: "5.1.0", PURL: "pkg:npm/express@5.1.0", Licenses: []string{"MIT"}, Direct: true}}},
		SourceDigest: "sha256:" + strings.Repeat("ab", 32),
		SBOMs:        runway.SBOMFiles{CycloneDX: []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`)},
	}
}

type response struct {
	status int
	body   string
	header http.Header
}

func (p *platform) do(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, p.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := p.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(data), header: res.Header}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package runwaytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// Store is every store interface the server uses; each implementation
// passes StoreSuite.
type Store interface {
	runway.TeamStore
	runway.AppStore
	runway.CandidateStore
	runway.UserStore
	runway.AuditLog
	runway.AuditRecorder
	runway.NonceStore
	runway.GrantStore
}

// Clock is a settable time for stores under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to a fixed time.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// StoreSuite runs the store conformance tests. open returns a new, empty
// store for each subtest, reading the time from now.
func StoreSuite(t *testing.T, open func(t *testing.T, now func() time.Time) Store) {
	tests := map[string]func(*testing.T, Store, *Clock){
		"users":                     testUsers,
		"tokens":                    testTokens,
		"sync users":                testSyncUser,
		"teams":                     testTeams,
		"apps":                      testApps,
		"app filters and pages":     testAppFilters,
		"candidates":                testCandidates,
		"concurrent candidates":     testConcurrentCandidates,
		"audit chain":               testAuditChain,
		"no actor, no change":       testNoActor,
		"failed change, no audit":   testFailedChangeNoAudit,
		"errors name what is wrong": testErrorMessages,
		"nonces":                    testNonces,
		"elevated access":           testGrants,
	}
	for name, test := range tests {
		t.Run(name, func(t *testing.T) {
			clock := NewClock()
			test(t, open(t, clock.Now), clock)
		})
	}
}

// Ctx is a context naming a test actor.
var Ctx = runway.WithActor(context.Background(), "user:tester@example.com")

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := runway.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func seedApp(t *testing.T, s Store, team, app string) *runway.App {
	t.Helper()
	if _, err := s.FindTeam(Ctx, team); runway.ErrorCode(err) == runway.ENOTFOUND {
		must(t, s.CreateTeam(Ctx, &runway.Team{Name: team}))
	}
	a := &runway.App{Name: app, Team: team, Tier: 2, Manifest: runway.Manifest{Name: app, Owner: team, Risk: "medium", Audience: "team"}}
	must(t, s.CreateApp(Ctx, a))
	return a
}

func testTeams(t *testing.T, s Store, _ *Clock) {
	web := &runway.Team{Name: "web", DisplayName: "Web team"}
	must(t, s.CreateTeam(Ctx, web))
	if web.ID == 0 || web.CreatedAt.IsZero() {
		t.Fatalf("created team has no ID or time: %+v", web)
	}
	wantCode(t, s.CreateTeam(Ctx, &runway.Team{Name: "web"}), runway.ECONFLICT)
	wantCode(t, s.CreateTeam(Ctx, &runway.Team{Name: "Web Team"}), runway.EINVALID)
	got, err := s.FindTeam(Ctx, "web")
	must(t, err)
	if *got != *web {
		t.Fatalf("FindTeam = %+v, want %+v", got, web)
	}
	_, err = s.FindTeam(Ctx, "nobody")
	wantCode(t, err, runway.ENOTFOUND)
	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "data"}))
	teams, err := s.FindTeams(Ctx, runway.Page{})
	must(t, err)
	if len(teams) != 2 || teams[0].Name != "web" || teams[1].Name != "data" {
		t.Fatalf("FindTeams = %v", teams)
	}
	teams, err = s.FindTeams(Ctx, runway.Page{After: teams[0].ID, Limit: 5})
	must(t, err)
	if len(teams) != 1 || teams[0].Name != "data" {
		t.Fatalf("FindTeams after the first = %v", teams)
	}
}

func testApps(t *testing.T, s Store, _ *Clock) {
	a := seedApp(t, s, "web", "expenses")
	a.Manifest.Data = []runway.DataClass{"internal"}
	got, err := s.FindApp(Ctx, "expenses")
	must(t, err)
	if got.ID != a.ID || got.Team != "web" || got.Tier != 2 || got.Manifest.Owner != "web" || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("FindApp = %+v, want %+v", got, a)
	}
	wantCode(t, s.CreateApp(Ctx, &runway.App{Name: "expenses", Team: "web"}), runway.ECONFLICT)
	wantCode(t, s.CreateApp(Ctx, &runway.App{Name: "other", Team: "nobody"}), runway.ENOTFOUND)
	wantCode(t, s.CreateApp(Ctx, &runway.App{Name: "-bad-", Team: "web"}), runway.EINVALID)

	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "finance"}))
	a.Team, a.Tier = "finance", 3
	must(t, s.UpdateApp(Ctx, a))
	got, err = s.FindApp(Ctx, "expenses")
	must(t, err)
	if got.Team != "finance" || got.Tier != 3 || len(got.Manifest.Data) != 1 || got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("after UpdateApp: %+v", got)
	}
	wantCode(t, s.UpdateApp(Ctx, &runway.App{Name: "ghost", Team: "web"}), runway.ENOTFOUND)
	_, err = s.FindApp(Ctx, "ghost")
	wantCode(t, err, runway.ENOTFOUND)
}

func testAppFilters(t *testing.T, s Store, _ *Clock) {
	for i := range 7 {
		seedApp(t, s, []string{"web", "data"}[i%2], fmt.Sprintf("app-%d", i))
	}
	a, err := s.FindApp(Ctx, "app-3")
	must(t, err)
	a.Tier = 3
	must(t, s.UpdateApp(Ctx, a))

	names := func(f runway.AppFilter) []string {
		apps, err := s.FindApps(Ctx, f)
		must(t, err)
		var out []string
		for _, a := range apps {
			out = append(out, a.Name)
		}
		return out
	}
	cases := []struct {
		name   string
		filter runway.AppFilter
		want   string
	}{
		{"all", runway.AppFilter{}, "[app-0 app-1 app-2 app-3 app-4 app-5 app-6]"},
		{"team", runway.AppFilter{Team: "data"}, "[app-1 app-3 app-5]"},
		{"tier", runway.AppFilter{Tier: 3}, "[app-3]"},
		{"search", runway.AppFilter{Search: "P-1"}, "[app-1]"},
		{"search is literal", runway.AppFilter{Search: "p_1"}, "[]"}, // not a LIKE wildcard
		{"search escapes", runway.AppFilter{Search: `%\`}, "[]"},
		{"first page", runway.AppFilter{Page: runway.Page{Limit: 3}}, "[app-0 app-1 app-2]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(names(c.filter)); got != c.want {
			t.Errorf("%s: FindApps = %s, want %s", c.name, got, c.want)
		}
	}
	first, err := s.FindApps(Ctx, runway.AppFilter{Page: runway.Page{Limit: 3}})
	must(t, err)
	if got := fmt.Sprint(names(runway.AppFilter{Page: runway.Page{After: first[2].ID, Limit: 3}})); got != "[app-3 app-4 app-5]" {
		t.Errorf("second page = %s", got)
	}
}

func testCandidates(t *testing.T, s Store, _ *Clock) {
	seedApp(t, s, "web", "expenses")
	seedApp(t, s, "web", "wiki")
	report := &runway.Report{Schema: runway.ReportSchema, App: "expenses", Decision: runway.DecisionNeedsApproval, Tier: 2,
		Findings: []runway.Finding{{ID: "f1", Kind: runway.KindVulnerability, Title: "lodash has a known vulnerability"}}}
	var made []*runway.Candidate
	inv := &runway.Inventory{Components: []runway.Component{{Ecosystem: "npm", Name: "express", Version: "5.1.0", Licenses: []string{"MIT"}, Direct: true}}}
	for i, app := range []string{"expenses", "wiki", "expenses"} {
		c := &runway.Candidate{App: app, SourceDigest: fmt.Sprintf("sha256:%064d", i), Decision: runway.DecisionNeedsApproval, Tier: 2, SubmittedBy: "user:ana@example.com", Report: report, Inventory: inv,
			SBOMs: runway.SBOMFiles{CycloneDX: json.RawMessage(`{"bomFormat":"CycloneDX","n":` + fmt.Sprint(i) + `}`)}}
		must(t, s.CreateCandidate(Ctx, c))
		made = append(made, c)
	}
	if made[0].Number != 1 || made[1].Number != 1 || made[2].Number != 2 {
		t.Fatalf("candidate numbers %d %d %d, want 1 1 2 (per app)", made[0].Number, made[1].Number, made[2].Number)
	}
	got, err := s.FindCandidate(Ctx, "expenses", 2)
	must(t, err)
	if got.Inventory == nil || len(got.Inventory.Components) != 1 || got.Inventory.Components[0].Licenses[0] != "MIT" {
		t.Fatalf("FindCandidate's inventory = %+v", got.Inventory)
	}
	if got.ID != made[2].ID || got.SourceDigest != made[2].SourceDigest || got.Report == nil || len(got.Report.Findings) != 1 || got.Report.Findings[0].Title != report.Findings[0].Title {
		t.Fatalf("FindCandidate = %+v", got)
	}
	_, err = s.FindCandidate(Ctx, "expenses", 9)
	wantCode(t, err, runway.ENOTFOUND)
	doc, err := s.FindSBOM(Ctx, "expenses", 2, runway.SBOMCycloneDX)
	must(t, err)
	if string(doc) != `{"bomFormat":"CycloneDX","n":2}` {
		t.Fatalf("FindSBOM = %s", doc)
	}
	_, err = s.FindSBOM(Ctx, "expenses", 2, runway.SBOMSPDX)
	wantCode(t, err, runway.ENOTFOUND) // not submitted
	_, err = s.FindSBOM(Ctx, "expenses", 9, runway.SBOMCycloneDX)
	wantCode(t, err, runway.ENOTFOUND)
	_, err = s.FindSBOM(Ctx, "expenses", 2, "swid")
	wantCode(t, err, runway.EINVALID)
	wantCode(t, s.CreateCandidate(Ctx, &runway.Candidate{App: "ghost", Report: report}), runway.ENOTFOUND)

	list, err := s.FindCandidates(Ctx, runway.CandidateFilter{App: "expenses"})
	must(t, err)
	if len(list) != 2 || list[0].Number != 2 || list[1].Number != 1 || list[0].Report != nil || list[0].Inventory != nil {
		t.Fatalf("FindCandidates(expenses) = %+v, want numbers 2, 1 without reports", list)
	}
	if f := list[0].Findings; f.Total != 1 || f.ByKind[runway.KindVulnerability] != 1 {
		t.Fatalf("listed candidates' finding counts (the findings history) = %+v", f)
	}
	list, err = s.FindCandidates(Ctx, runway.CandidateFilter{Page: runway.Page{After: made[2].ID, Limit: 1}})
	must(t, err)
	if len(list) != 1 || list[0].ID != made[1].ID {
		t.Fatalf("page after the newest = %+v, want the wiki candidate", list)
	}
	list, err = s.FindCandidates(Ctx, runway.CandidateFilter{Decision: runway.DecisionBlocked})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("no candidate is blocked, got %d", len(list))
	}
}

// testConcurrentCandidates submits one app's candidates from many
// goroutines: every one must get its own number, with no gap.
func testConcurrentCandidates(t *testing.T, s Store, _ *Clock) {
	seedApp(t, s, "web", "busy")
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.CreateCandidate(Ctx, &runway.Candidate{App: "busy", SourceDigest: fmt.Sprint(i), Decision: runway.DecisionPass, Tier: 1, SubmittedBy: "ci", Report: &runway.Report{}})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	list, err := s.FindCandidates(Ctx, runway.CandidateFilter{App: "busy"})
	must(t, err)
	seen := map[int]bool{}
	for _, c := range list {
		seen[c.Number] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[i] {
			t.Fatalf("candidate number %d missing among %d candidates", i, len(list))
		}
	}
	if _, err := runway.VerifyAudit(Ctx, s); err != nil {
		t.Fatalf("audit trail after concurrent writes: %v", err)
	}
}

func testAuditChain(t *testing.T, s Store, _ *Clock) {
	head, err := runway.VerifyAudit(Ctx, s)
	must(t, err)
	if head.Seq != 0 {
		t.Fatalf("a new store's trail has %d entries", head.Seq)
	}
	seedApp(t, s, "web", "expenses")
	must(t, s.CreateCandidate(runway.WithActor(Ctx, "token:7"), &runway.Candidate{App: "expenses", Decision: runway.DecisionPass, Report: &runway.Report{}}))
	entries, err := s.AuditEntries(Ctx, runway.AuditFilter{})
	must(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Subject)
	}
	want := "[user:tester@example.com team.create team:web user:tester@example.com app.create app:expenses token:7 candidate.create candidate:expenses#1]"
	if fmt.Sprint(got) != want {
		t.Fatalf("audit entries:\n%s\nwant\n%s", fmt.Sprint(got), want)
	}
	head, err = runway.VerifyAudit(Ctx, s)
	must(t, err)
	if head.Seq != 3 || head.Hash != entries[2].Hash {
		t.Fatalf("verified head %+v, want entry 3 %s", head, entries[2].Hash)
	}
	only, err := s.AuditEntries(Ctx, runway.AuditFilter{Subject: "app:expenses"})
	must(t, err)
	if len(only) != 1 || only[0].Seq != 2 {
		t.Fatalf("entries about app:expenses = %+v", only)
	}
}

func testNoActor(t *testing.T, s Store, _ *Clock) {
	err := s.CreateTeam(context.Background(), &runway.Team{Name: "web"})
	if err == nil {
		t.Fatal("a change without an actor was accepted")
	}
	_, err = s.FindTeam(Ctx, "web")
	wantCode(t, err, runway.ENOTFOUND)
}

func testFailedChangeNoAudit(t *testing.T, s Store, _ *Clock) {
	seedApp(t, s, "web", "expenses")
	before, err := s.AuditHead(Ctx)
	must(t, err)
	wantCode(t, s.CreateApp(Ctx, &runway.App{Name: "expenses", Team: "web"}), runway.ECONFLICT)
	after, err := s.AuditHead(Ctx)
	must(t, err)
	if after != before {
		t.Fatalf("a refused change moved the audit head from %+v to %+v", before, after)
	}
}

func testErrorMessages(t *testing.T, s Store, _ *Clock) {
	err := s.CreateApp(Ctx, &runway.App{Name: "expenses", Team: "payroll"})
	var e *runway.Error
	if !errors.As(err, &e) || e.Message != `there is no team named "payroll": create it first (runway teams create payroll)` {
		t.Fatalf("CreateApp with a missing team: %v", err)
	}
}

func testUsers(t *testing.T, s Store, _ *Clock) {
	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "web"}))
	ana := &runway.User{Email: "ana@example.com", Name: "Ana", Grants: []runway.RoleGrant{
		{Role: runway.RoleTeamLead, Team: "web"}, {Role: runway.RoleDeveloper, Team: "web"}, {Role: runway.RoleSecurity}, {Role: runway.RoleSecurity}}}
	must(t, s.CreateUser(Ctx, ana))
	got, err := s.FindUser(Ctx, "ana@example.com")
	must(t, err)
	if got.ID != ana.ID || got.Name != "Ana" || fmt.Sprint(got.Grants) != "[{developer web} {security } {team-lead web}]" {
		t.Fatalf("FindUser = %+v", got)
	}
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "ana@example.com"}), runway.ECONFLICT)
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "not an email"}), runway.EINVALID)
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "bo@example.com", Grants: []runway.RoleGrant{{Role: "owner"}}}), runway.EINVALID)
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "bo@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper}}}), runway.EINVALID)
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "bo@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleAdmin, Team: "web"}}}), runway.EINVALID)
	wantCode(t, s.CreateUser(Ctx, &runway.User{Email: "bo@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "ghost"}}}), runway.ENOTFOUND)
	_, err = s.FindUser(Ctx, "bo@example.com")
	wantCode(t, err, runway.ENOTFOUND) // the refused user left nothing behind
	n, err := s.CountUsers(Ctx)
	must(t, err)
	if n != 1 {
		t.Fatalf("CountUsers = %d, want 1", n)
	}
}

func testTokens(t *testing.T, s Store, clock *Clock) {
	u := &runway.User{Email: "ci@example.com"}
	must(t, s.CreateUser(Ctx, u))
	secret := runway.NewTokenSecret()
	tok := &runway.Token{UserID: u.ID, Name: "ci", Scopes: []string{"submit"}, ExpiresAt: clock.Now().Add(24 * time.Hour)}
	must(t, s.CreateToken(Ctx, tok, secret))
	wantCode(t, s.CreateToken(Ctx, &runway.Token{UserID: u.ID, Name: "old", ExpiresAt: clock.Now()}, runway.NewTokenSecret()), runway.EINVALID)
	wantCode(t, s.CreateToken(Ctx, &runway.Token{UserID: 999, Name: "x", ExpiresAt: clock.Now().Add(time.Hour)}, runway.NewTokenSecret()), runway.ENOTFOUND)

	gotU, gotT, err := s.Authenticate(Ctx, secret)
	must(t, err)
	if gotU.Email != u.Email || gotT.ID != tok.ID || fmt.Sprint(gotT.Scopes) != "[submit]" || gotT.LastUsedAt == nil {
		t.Fatalf("Authenticate = %+v %+v", gotU, gotT)
	}
	for _, bad := range []string{"", "rwy_", runway.NewTokenSecret(), strings.ToUpper(secret), secret + "0"} {
		_, _, err := s.Authenticate(Ctx, bad)
		wantCode(t, err, runway.EUNAUTHORIZED)
	}

	// Use is recorded once per hour, not on every request.
	uses := func() int {
		entries, err := s.AuditEntries(Ctx, runway.AuditFilter{Subject: fmt.Sprintf("token:%d", tok.ID)})
		must(t, err)
		n := 0
		for _, e := range entries {
			if e.Action == "token.use" {
				n++
			}
		}
		return n
	}
	_, _, err = s.Authenticate(Ctx, secret)
	must(t, err)
	if n := uses(); n != 1 {
		t.Fatalf("two uses within the hour wrote %d token.use entries, want 1", n)
	}
	clock.Advance(61 * time.Minute)
	_, _, err = s.Authenticate(Ctx, secret)
	must(t, err)
	if n := uses(); n != 2 {
		t.Fatalf("a use an hour later wrote %d token.use entries in all, want 2", n)
	}

	clock.Advance(23 * time.Hour)
	_, _, err = s.Authenticate(Ctx, secret)
	wantCode(t, err, runway.EUNAUTHORIZED) // expired

	other := runway.NewTokenSecret()
	tok2 := &runway.Token{UserID: u.ID, Name: "laptop", ExpiresAt: clock.Now().Add(time.Hour)}
	must(t, s.CreateToken(Ctx, tok2, other))
	wantCode(t, s.RevokeToken(Ctx, u.ID+1, tok2.ID), runway.ENOTFOUND) // not this user's
	must(t, s.RevokeToken(Ctx, u.ID, tok2.ID))
	_, _, err = s.Authenticate(Ctx, other)
	wantCode(t, err, runway.EUNAUTHORIZED)

	// The trail records tokens by id, never their secrets.
	entries, err := s.AuditEntries(Ctx, runway.AuditFilter{Page: runway.Page{Limit: 1000}})
	must(t, err)
	for _, e := range entries {
		if strings.Contains(string(e.Data), secret[len(runway.TokenPrefix):]) || strings.Contains(string(e.Data), runway.HashToken(secret)) {
			t.Fatalf("audit entry %d holds a token secret or its hash: %s", e.Seq, e.Data)
		}
	}
	if _, err := runway.VerifyAudit(Ctx, s); err != nil {
		t.Fatal(err)
	}
}

func testSyncUser(t *testing.T, s Store, _ *Clock) {
	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "web"}))
	must(t, s.CreateTeam(Ctx, &runway.Team{Name: "data"}))
	u := &runway.User{Email: "ana@example.com", Name: "Ana", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "web"}}}
	must(t, s.SyncUser(Ctx, u))
	if u.ID == 0 {
		t.Fatal("SyncUser did not create the user")
	}
	head, err := s.AuditHead(Ctx)
	must(t, err)
	same := &runway.User{Email: "ana@example.com", Name: "Ana", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "web"}}}
	must(t, s.SyncUser(Ctx, same))
	if after, _ := s.AuditHead(Ctx); after != head || same.ID != u.ID {
		t.Fatalf("an unchanged sign-in wrote to the audit trail or made a new user: %+v -> %+v", head, after)
	}
	moved := &runway.User{Email: "ana@example.com", Name: "Ana B.", Grants: []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: "data"}, {Role: runway.RoleSecurity}}}
	must(t, s.SyncUser(Ctx, moved))
	got, err := s.FindUser(Ctx, "ana@example.com")
	must(t, err)
	if got.Name != "Ana B." || fmt.Sprint(got.Grants) != "[{security } {team-lead data}]" {
		t.Fatalf("after SyncUser: %+v", got)
	}
	wantCode(t, s.SyncUser(Ctx, &runway.User{Email: "ana@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "ghost"}}}), runway.ENOTFOUND)
	if got, _ := s.FindUser(Ctx, "ana@example.com"); fmt.Sprint(got.Grants) != "[{security } {team-lead data}]" {
		t.Fatalf("a refused sync changed the grants: %+v", got.Grants)
	}
	must(t, s.RecordEvent(Ctx, "user.sign_in", "user:ana@example.com", map[string]string{"method": "oidc"}))
	entries, err := s.AuditEntries(Ctx, runway.AuditFilter{Subject: "user:ana@example.com"})
	must(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[user.create user.update user.sign_in]" {
		t.Fatalf("audit actions %v", actions)
	}
}

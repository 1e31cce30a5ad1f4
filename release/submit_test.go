package release_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/runwayhq/runway/sourcepack"
	"github.com/runwayhq/runway/sqlstore"
)

func service(t *testing.T) (*release.Service, *sqlstore.DB) {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), sqlstore.Options{URL: filepath.Join(t.TempDir(), "runway.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, team := range []string{"web", "data"} {
		if err := store.CreateTeam(runwaytest.Ctx, &runway.Team{Name: team}); err != nil {
			t.Fatal(err)
		}
	}
	engine, err := opa.New(context.Background(), opa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &release.Service{Apps: store, Candidates: store, Decider: engine}, store
}

func member(team string) access.Principal {
	return access.Principal{User: &runway.User{Email: "dev-" + team + "@example.com", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: team}}}}
}

// clean is a passing team app's submission; its report claims "pass".
func clean(name, owner string) release.Submission {
	r := &runway.Report{Schema: runway.ReportSchema, App: name, Decision: runway.DecisionPass, Tier: 1, ApprovalsRequired: []runway.Role{},
		SBOM: &runway.SBOMSummary{Components: 1}}
	for _, c := range []string{"manifest", "test", "secrets", "sast", "sbom", "vulnerabilities"} {
		res := runway.CheckResult{Name: c, Status: runway.StatusPass}
		if c == "vulnerabilities" {
			res.Details = map[string]any{"db_age_days": 1}
		}
		r.Checks = append(r.Checks, res)
	}
	return release.Submission{
		Manifest:     []byte("name: " + name + "\nowner: " + owner + "\nrisk: low\naudience: team\ndata: [internal]\nrun:\n  test: npm test\n"),
		Report:       r,
		Inventory:    &runway.Inventory{Components: []runway.Component{{Ecosystem: "npm", Name: "express", Version: "5.1.0", Licenses: []string{"MIT"}, Direct: true}}},
		SourceDigest: "sha256:" + strings.Repeat("0", 64),
	}
}

func TestSubmitDecidesOnTheServer(t *testing.T) {
	s, store := service(t)
	c, err := s.Submit(context.Background(), member("web"), clean("wiki", "web"))
	if err != nil {
		t.Fatal(err)
	}
	// The client said pass at tier 1; a team app with internal data is
	// tier 2 and needs a team lead, whatever the client claims.
	if c.Decision != runway.DecisionNeedsApproval || c.Tier != 2 || c.Number != 1 {
		t.Fatalf("candidate: %+v", c)
	}
	app, err := store.FindApp(context.Background(), "wiki")
	if err != nil || app.Team != "web" || app.Tier != 2 {
		t.Fatalf("registered app: %+v %v", app, err)
	}
	// A client that drops its scans and keeps "pass" is blocked.
	sub := clean("wiki", "web")
	sub.Report.Checks = sub.Report.Checks[:2]
	sub.Report.Findings = []runway.Finding{{ID: "p", Check: "policy", Kind: runway.KindPolicy, Title: "forged policy finding"}}
	c, err = s.Submit(context.Background(), member("web"), sub)
	if err != nil {
		t.Fatal(err)
	}
	if c.Decision != runway.DecisionBlocked || c.Number != 2 {
		t.Fatalf("a submission without scans: %+v", c)
	}
	for _, f := range c.Report.Findings {
		if f.Title == "forged policy finding" {
			t.Fatal("the client's policy findings were kept")
		}
	}
}

func TestSubmitRefusals(t *testing.T) {
	s, _ := service(t)
	if _, err := s.Submit(context.Background(), member("web"), clean("wiki", "web")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		who  access.Principal
		sub  func() release.Submission
		code string
		says string
	}{
		{"another team's app", member("web"), func() release.Submission { return clean("ledger", "data") }, runway.EFORBIDDEN, "team data"},
		{"move an app away without rights on its team", member("data"), func() release.Submission { return clean("wiki", "data") }, runway.EFORBIDDEN, "team web"},
		{"no manifest", member("web"), func() release.Submission { s := clean("wiki", "web"); s.Manifest = nil; return s }, runway.EINVALID, "no runway.yaml"},
		{"bad manifest", member("web"), func() release.Submission { s := clean("wiki", "web"); s.Manifest = []byte("name: [\n"); return s }, runway.EINVALID, "runway.yaml has problems"},
		{"no report", member("web"), func() release.Submission { s := clean("wiki", "web"); s.Report = nil; return s }, runway.EINVALID, "no check report"},
		{"report of another app", member("web"), func() release.Submission { s := clean("wiki", "web"); s.Report.App = "x"; return s }, runway.EINVALID, `for app "x"`},
		{"bad digest", member("web"), func() release.Submission { s := clean("wiki", "web"); s.SourceDigest = "md5:1"; return s }, runway.EINVALID, "source_digest"},
		{"owner is not a team", access.Principal{User: &runway.User{Email: "a@x", Grants: []runway.RoleGrant{{Role: runway.RoleAdmin}}}},
			func() release.Submission { return clean("new-app", "ghosts") }, runway.ENOTFOUND, "no team named"},
		{"anonymous", access.Principal{}, func() release.Submission { return clean("wiki", "web") }, runway.EUNAUTHORIZED, "sign in"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Submit(context.Background(), c.who, c.sub())
			if runway.ErrorCode(err) != c.code || !strings.Contains(runway.ErrorMessage(err), c.says) {
				t.Fatalf("Submit: %v (code %s), want %s saying %q", err, runway.ErrorCode(err), c.code, c.says)
			}
		})
	}
}

// TestSubmitKeepsTheSource: the source archive travels with the
// candidate, stored once per digest; an archive whose digest is not the
// submission's is refused.
func TestSubmitKeepsTheSource(t *testing.T) {
	s, store := service(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "runway.yaml"), []byte("name: wiki\n"), 0o644)
	archive, digest, err := sourcepack.Pack(dir, []sourcepack.File{{Path: "runway.yaml"}}, sourcepack.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	sub := clean("wiki", "web")
	sub.Source, sub.SourceDigest = archive, digest
	c, err := s.Submit(context.Background(), member("web"), sub)
	if err != nil || !c.HasSource {
		t.Fatalf("submit: %+v %v", c, err)
	}
	got, err := store.FindSource(context.Background(), digest)
	if err != nil || !bytes.Equal(got, archive) {
		t.Fatalf("stored source: %d bytes, %v", len(got), err)
	}
	if c, _ := store.FindCandidate(context.Background(), "wiki", 1); !c.HasSource {
		t.Fatal("the candidate does not know it has its source")
	}
	// The same source again is stored once; a forged digest is refused.
	if _, err := s.Submit(context.Background(), member("web"), sub); err != nil {
		t.Fatal(err)
	}
	sub.SourceDigest = "sha256:" + strings.Repeat("1", 64)
	if _, err := s.Submit(context.Background(), member("web"), sub); runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "source archive's digest") {
		t.Fatalf("forged digest: %v", err)
	}
	if _, err := store.FindSource(context.Background(), "sha256:"+strings.Repeat("2", 64)); runway.ErrorCode(err) != runway.ENOTFOUND {
		t.Fatalf("unknown source: %v", err)
	}
}

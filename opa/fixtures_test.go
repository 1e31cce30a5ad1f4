package opa

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// now is the fixed time of every test decision.
var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return now }

// personalApp is a tier-1 app: personal, no data, no integrations.
func personalApp() *runway.Manifest {
	return &runway.Manifest{
		Name: "lunch-poll", Owner: "sam", Template: "static-site", Risk: runway.RiskLow,
		Audience: runway.AudiencePersonal, ExpectedUsers: 1,
		Data: []runway.DataClass{}, Integrations: []runway.Integration{},
		Run: runway.RunSpec{Build: "npm ci", Test: "npm test"},
	}
}

// teamApp is DESIGN.md's example: a team app with internal data and a
// Slack integration that needs a secret, reviewed.
func teamApp() *runway.Manifest {
	return &runway.Manifest{
		Name: "expense-approvals", Owner: "finance", Template: "node-api", Description: "Submit expenses.",
		Risk: runway.RiskMedium, Audience: runway.AudienceTeam, ExpectedUsers: 60,
		Data:         []runway.DataClass{runway.DataInternal},
		Integrations: []runway.Integration{{Name: "slack", Host: "slack.com", RequiresSecret: true, Secret: "SLACK_BOT_TOKEN"}},
		Flags:        runway.ManifestFlags{SecurityReview: true},
		Budget:       runway.Budget{MonthlyUSD: 40},
		Run:          runway.RunSpec{Build: "npm ci", Lint: "npm run lint", Test: "npm test", Start: "node app/server.js", Health: "/healthz"},
	}
}

// paymentsApp faces customers, handles personal and financial data and
// takes payments.
func paymentsApp() *runway.Manifest {
	m := teamApp()
	m.Name, m.Risk, m.Audience, m.ExpectedUsers = "customer-payments", runway.RiskHigh, runway.AudienceExternal, 2000
	m.Data = []runway.DataClass{runway.DataPII, runway.DataFinancial}
	m.Integrations = []runway.Integration{{Name: "stripe", Host: "api.stripe.com", RequiresSecret: true, Secret: "STRIPE_KEY"}}
	return m
}

// cleanReport is the report of a run in which every check passed.
func cleanReport() *runway.Report {
	pass := func(name string) runway.CheckResult {
		return runway.CheckResult{Name: name, Status: runway.StatusPass, Summary: name + " passed."}
	}
	vulns := pass("vulnerabilities")
	vulns.Details = map[string]any{"db_age_days": 1}
	return &runway.Report{
		Schema:            runway.ReportSchema,
		ApprovalsRequired: []runway.Role{},
		Findings:          []runway.Finding{},
		Checks:            []runway.CheckResult{pass("manifest"), pass("build"), pass("lint"), pass("test"), pass("secrets"), vulns, pass("sast"), pass("sbom")},
		SBOM:              &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 3},
	}
}

// smallInventory is a few dependencies with their licences.
func smallInventory() *runway.Inventory {
	return &runway.Inventory{Components: []runway.Component{
		{Ecosystem: "npm", Name: "express", Version: "4.21.2", PURL: "pkg:npm/express@4.21.2", Licenses: []string{"MIT"}, Direct: true},
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.21", PURL: "pkg:npm/lodash@4.17.21", Licenses: []string{"MIT"}},
		{Ecosystem: "npm", Name: "jest", Version: "29.7.0", PURL: "pkg:npm/jest@29.7.0", Licenses: []string{"MIT"}, Direct: true, Dev: true},
	}}
}

// workspace is an app folder holding m, with an inventory.
func workspace(t testing.TB, m *runway.Manifest, inv *runway.Inventory) *runway.Workspace {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, ".runway")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ws := &runway.Workspace{Dir: dir, OutDir: out, Manifest: m}
	if inv != nil {
		ws.Inventory = func() (*runway.Inventory, error) { return inv, nil }
	}
	return ws
}

// writePolicies writes policy files into a new folder and returns it.
func writePolicies(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newEngine builds an engine or fails the test.
func newEngine(t testing.TB, opt Options) *Engine {
	t.Helper()
	if opt.Now == nil {
		opt.Now = fixedNow
	}
	e, err := New(context.Background(), opt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// rules lists "level rule" of a decision's violations, for comparisons.
func rules(vs []Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %s", v.Level, v.Rule))
	}
	return out
}

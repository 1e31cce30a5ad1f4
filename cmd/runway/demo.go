package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/release"
)

// demoApp is a sample app `runway up --demo` submits, as its team would.
type demoApp struct {
	name, team, manifest string
	findings             []runway.Finding
}

var demoTeams = []string{"web", "finance", "people"}

var demoApps = []demoApp{
	{name: "lunch-poll", team: "web", manifest: "name: lunch-poll\nowner: web\nrisk: low\naudience: personal\ndata: []\n"},
	{name: "team-wiki", team: "web", manifest: "name: team-wiki\nowner: web\nrisk: low\naudience: team\ndata: [internal]\nrun:\n  test: npm test\n"},
	{name: "expense-approvals", team: "finance", manifest: "name: expense-approvals\nowner: finance\nrisk: medium\naudience: org\nexpected_users: 900\ndata: [pii, financial]\nrun:\n  test: npm test\n"},
	{name: "payroll-export", team: "people", manifest: "name: payroll-export\nowner: people\nrisk: medium\naudience: team\ndata: [pii]\nrun:\n  test: npm test\n",
		findings: []runway.Finding{
			{ID: "demo-secret", Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityHigh, Rule: "aws-access-token",
				Title: "An AWS access key is written in the code", File: "app/export.js", Line: 12,
				Fix: "Revoke the key now, remove it from the code and the history, store it with the platform's secret store and reference it by name in runway.yaml."},
			{ID: "demo-vuln", Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityHigh, Rule: "GHSA-demo-0001",
				Title: "lodash 4.17.15 has a known vulnerability (prototype pollution)", File: "package-lock.json",
				Package: &runway.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Fixed: "4.17.21"},
				Fix:     "Upgrade lodash to 4.17.21."},
		}},
}

// seedDemo fills an empty platform with sample teams, people, apps and
// candidates, decided by the server's own policies like real ones.
func (s *server) seedDemo(ctx context.Context) error {
	apps, err := s.store.FindApps(ctx, runway.AppFilter{Page: runway.Page{Limit: 1}})
	if err != nil || len(apps) > 0 {
		return err // never mix samples into a platform in use
	}
	sys := runway.WithActor(ctx, "system")
	leads, devs := map[string]*runway.User{}, map[string]*runway.User{}
	for _, team := range demoTeams {
		if err := s.store.CreateTeam(sys, &runway.Team{Name: team, DisplayName: strings.ToUpper(team[:1]) + team[1:] + " team"}); err != nil {
			return err
		}
		lead := &runway.User{Email: "lead." + team + "@demo.runway", Grants: []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: team}, {Role: runway.RoleDeveloper, Team: team}}}
		if err := s.store.CreateUser(sys, lead); err != nil {
			return err
		}
		leads[team] = lead
		dev := &runway.User{Email: "dev." + team + "@demo.runway", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: team}}}
		if err := s.store.CreateUser(sys, dev); err != nil {
			return err
		}
		devs[team] = dev
	}
	for _, u := range []*runway.User{
		{Email: "security@demo.runway", Grants: []runway.RoleGrant{{Role: runway.RoleSecurity}}},
		{Email: "platform@demo.runway", Grants: []runway.RoleGrant{{Role: runway.RolePlatform}}},
	} {
		if err := s.store.CreateUser(sys, u); err != nil {
			return err
		}
	}
	for i, d := range demoApps {
		if _, err := s.release.Submit(ctx, access.Principal{User: devs[d.team]}, d.submission(i)); err != nil {
			return fmt.Errorf("demo app %d: %w", i, err)
		}
	}
	// Two requests wait for approvers: a team lead for the wiki, security
	// and platform for the tier-3 expense app.
	for _, r := range []release.PromoteRequest{
		{App: "team-wiki", Environment: runway.EnvProduction, Note: "New search page; tested with the team."},
		{App: "expense-approvals", Environment: runway.EnvStaging, Note: "First staging release for the finance pilot."},
	} {
		app, err := s.store.FindApp(ctx, r.App)
		if err != nil {
			return err
		}
		if _, err := s.promoter.Promote(ctx, access.Principal{User: devs[app.Team]}, r); err != nil {
			return fmt.Errorf("demo promotion of %s: %w", r.App, err)
		}
	}
	return nil
}

// submission is the app's check report as `runway submit` would send it.
func (d demoApp) submission(i int) release.Submission {
	r := &runway.Report{Schema: runway.ReportSchema, App: d.name, RunwayVersion: version, Findings: d.findings,
		SBOM: &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 2}}
	for _, c := range []string{"manifest", "lint", "test", "secrets", "vulnerabilities", "sast", "sbom"} {
		var details map[string]any
		if c == "vulnerabilities" {
			details = map[string]any{"db_age_days": 1}
		}
		r.Checks = append(r.Checks, runway.CheckResult{Name: c, Status: runway.StatusPass, Details: details})
	}
	inv := &runway.Inventory{Components: []runway.Component{
		{Ecosystem: "npm", Name: "express", Version: "5.1.0", PURL: "pkg:npm/express@5.1.0", Licenses: []string{"MIT"}, Direct: true},
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15", Licenses: []string{"MIT"}},
	}}
	return release.Submission{Manifest: []byte(d.manifest), Report: r, Inventory: inv, SourceDigest: fmt.Sprintf("sha256:%064x", i+1)}
}

package release_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/runwaytest"
)

// runbookFacts are those of expense-approvals in production: candidate
// #7 in its canary at 20%, replacing #6, with two flags (one killed), a
// break-glass rollback in its past, and an owner who typed markup into
// the description.
func runbookFacts() release.RunbookFacts {
	at := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	app := &runway.App{Name: "expense-approvals", Team: "finance-tools", Tier: 2, Manifest: runway.Manifest{
		Name: "expense-approvals", Owner: "finance-tools",
		Description: "Submit expenses and route them to a team lead. <script>alert(1)</script> [help](javascript:alert(1))",
		Audience:    runway.AudienceTeam, Data: []runway.DataClass{runway.DataInternal, runway.DataFinancial},
		Integrations: []runway.Integration{{Name: "slack", Host: "hooks.slack.com", RequiresSecret: true, Secret: "SLACK_WEBHOOK_URL"}},
		Run:          runway.RunSpec{Build: "npm ci", Start: "node server.js", Health: "/healthz"},
	}}
	digest := func(c string) string { return "sha256:" + strings.Repeat(c, 64) }
	flag := func(key, desc string, on bool, kill *runway.FlagKill) *runway.Flag {
		return &runway.Flag{App: app.Name, Environment: runway.EnvProduction, Key: key, Type: runway.FlagBoolean, Description: desc, Enabled: on, Kill: kill}
	}
	return release.RunbookFacts{
		Deployment: &runway.Deployment{ID: 41, App: app.Name, Environment: runway.EnvProduction, Candidate: 7, CandidateDigest: digest("7"),
			PromotionID: 19, State: runway.DeploymentCanary, StartedBy: "user:maria@example.com", CreatedAt: at,
			Artifact: digest("e"), Stable: "c6", Step: 0, Weight: 20, Reason: "The new version gets 20% of the traffic while it is watched."},
		App:       app,
		Candidate: &runway.Candidate{App: app.Name, Number: 7, SourceDigest: digest("7"), SubmittedBy: "user:ana@example.com", CreatedAt: at.Add(-2 * time.Hour)},
		Previous:  &runway.Candidate{App: app.Name, Number: 6, SourceDigest: digest("6"), SubmittedBy: "user:ana@example.com", CreatedAt: at.Add(-50 * time.Hour)},
		Canary:    &release.CanaryProgress{Steps: []int{20, 50, 100}, Step: 0, Weight: 20},
		Promotion: &runway.Promotion{ID: 19, Approvals: []runway.Approval{
			{By: "user:maria@example.com", Verdict: runway.Approve},
			{By: "user:old@example.com", Verdict: runway.Approve, VoidedAt: &at},
		}},
		Flags: []*runway.Flag{
			flag("new-totals", "Totals with *tax* included", true, nil),
			flag("receipts-ocr", "", false, &runway.FlagKill{By: "user:maria@example.com", Reason: "OCR vendor down"}),
		},
		TeamLeads: []string{"maria@example.com", "sam@example.com"},
		Incidents: []release.Incident{{At: at.Add(-26 * time.Hour), Deployment: 39, Environment: runway.EnvProduction, Kind: "automatic rollback",
			Reason: "The new version failed 12% of requests (stable: 0.4%)."}},
		URL: "https://runway.example.com/deployments/41",
	}
}

// TestRunbookGolden keeps the runbook people read during an incident
// under review (go test ./release -run Runbook -update rewrites it).
func TestRunbookGolden(t *testing.T) {
	f := runbookFacts()
	runwaytest.Golden(t, "testdata/runbook-canary.golden", []byte(release.Runbook(f)))

	// The same deployment once live: going back means the previous
	// source again; a multi-line reason (a build log) is a code block.
	f.Deployment.State, f.Deployment.Weight, f.Deployment.Step = runway.DeploymentLive, 100, 2
	f.Deployment.Reason = "The new version passed its smoke checks.\n```\nbuild log ``` with fences\n```"
	runwaytest.Golden(t, "testdata/runbook-live.golden", []byte(release.Runbook(f)))
}

// TestRunbookEscapes: what people typed never becomes markup, a link or
// HTML in the runbook.
func TestRunbookEscapes(t *testing.T) {
	f := runbookFacts()
	md := release.Runbook(f)
	for _, bad := range []string{"<script>", "[help](", "*tax*"} {
		if strings.Contains(md, bad) {
			t.Errorf("the runbook holds %q unescaped", bad)
		}
	}
	// Deterministic: the same facts give the same runbook.
	if again := release.Runbook(runbookFacts()); again != md {
		t.Error("two runbooks of the same facts differ")
	}
	// Incidents read from the audit trail's data.
	var in release.Incident
	if err := json.Unmarshal([]byte(`{"deployment":3,"environment":"production","kind":"manual rollback","reason":"r","cause":"manual"}`), &in); err != nil || in.Deployment != 3 {
		t.Fatalf("incident: %+v %v", in, err)
	}
}

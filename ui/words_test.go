package ui

import (
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Minute:        "just now",
		30 * time.Second:    "just now",
		time.Minute:         "1 minute ago",
		59 * time.Minute:    "59 minutes ago",
		time.Hour:           "1 hour ago",
		23 * time.Hour:      "23 hours ago",
		30 * time.Hour:      "yesterday",
		3 * 24 * time.Hour:  "3 days ago",
		45 * 24 * time.Hour: "on 15 Oct 2026",
	} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestDecisionSentence(t *testing.T) {
	for _, tt := range []struct {
		d     runway.Decision
		roles []runway.Role
		want  string
	}{
		{runway.DecisionPass, nil, "Ready to deploy: nothing blocks this version and it needs no approval."},
		{runway.DecisionNeedsApproval, []runway.Role{runway.RoleTeamLead}, "Needs approval from a team lead before it can be deployed to staging or production."},
		{runway.DecisionNeedsApproval, []runway.Role{runway.RoleSecurity, runway.RolePlatform},
			"Needs approval from the security team and the platform team before it can be deployed to staging or production."},
		{runway.DecisionNeedsApproval, []runway.Role{runway.RoleSecurity, runway.RolePlatform, runway.RoleAdmin},
			"Needs approval from the security team, the platform team and an admin before it can be deployed to staging or production."},
		{runway.DecisionNeedsApproval, nil, "Needs approval before it can be deployed to staging or production."},
		{runway.DecisionBlocked, nil, "Blocked: this version cannot be deployed until the problems below are fixed."},
		{"", nil, "No decision was recorded for this version: treat it as blocked and submit it again."},
	} {
		if got := decisionSentence(tt.d, tt.roles); got != tt.want {
			t.Errorf("decisionSentence(%q, %v) = %q, want %q", tt.d, tt.roles, got, tt.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                        "/apps",
		"/apps/wiki":              "/apps/wiki",
		"/audit?subject=app:wiki": "/audit?subject=app:wiki",
		"//evil.example":          "/apps",
		"/\\evil.example":         "/apps",
		"https://evil.example/":   "/apps",
		"javascript:alert(1)":     "/apps",
		"apps":                    "/apps",
		"/apps\n":                 "/apps",
		"/a\x00b":                 "/apps",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	for got, want := range map[string]string{
		tierWords(0):   "Not assessed yet",
		tierWords(3):   "Tier 3: org-facing or sensitive",
		dataWords(nil): "None declared",
		dataWords([]runway.DataClass{runway.DataPII, runway.DataFinancial}):     "Personal data and financial data",
		severityWords(runway.SeverityCritical):                                  "Critical",
		person("user:ana@example.com"):                                          "ana@example.com",
		person("token:12"):                                                      "token 12",
		person("system"):                                                        "system",
		actionWords("candidate.create"):                                         "Submitted a version for checking",
		actionWords("something.new"):                                            "something.new",
		findingCounts(runway.FindingCounts{}):                                   "None",
		findingCounts(runway.FindingCounts{Total: 2}):                           "2, none blocking",
		findingCounts(runway.FindingCounts{Total: 3, Blocking: 1, Accepted: 2}): "3, 1 blocking (2 accepted)",
		where(runway.Finding{File: "a.js", Line: 3}):                            "a.js:3",
		where(runway.Finding{File: "a.js"}):                                     "a.js",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestDue(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-2 * time.Hour:      "2 hours ago",
		0:                   "just now",
		30 * time.Second:    "in less than a minute",
		time.Minute:         "in 1 minute",
		59 * time.Minute:    "in 59 minutes",
		23 * time.Hour:      "in 23 hours",
		7 * 24 * time.Hour:  "in 7 days",
		45 * 24 * time.Hour: "on 13 Jan 2027",
	} {
		if got := due(now, now.Add(d)); got != want {
			t.Errorf("due(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPromotionWords(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{stateWords(runway.PromotionPending) + "/" + stateClass(runway.PromotionPending), "Waiting for approval/approval"},
		{stateWords(runway.PromotionScheduled) + "/" + stateClass(runway.PromotionScheduled), "Approved, waiting for its release window/approval"},
		{stateWords(runway.PromotionStarted) + "/" + stateClass(runway.PromotionStarted), "Started/pass"},
		{stateWords(runway.PromotionRejected) + "/" + stateClass(runway.PromotionRejected), "Rejected/blocked"},
		{stateWords(runway.PromotionCancelled) + "/" + stateClass(runway.PromotionCancelled), "Withdrawn/closed"},
		{stateWords(runway.PromotionExpired) + "/" + stateClass(runway.PromotionExpired), "Expired/closed"},
		{stateWords(runway.PromotionVoided) + "/" + stateClass(runway.PromotionVoided), "Voided/closed"},
		{verdictWords(runway.Approve) + "/" + verdictWords(runway.Reject), "Approved/Rejected"},
		{requirementWords(runway.Requirement{Kind: runway.RequireApproval, Role: runway.RoleTeamLead, Team: "web"}), "Approval by a team lead of team web"},
		{requirementWords(runway.Requirement{Kind: runway.RequireApproval, Role: runway.RolePlatform}), "Approval by the platform team"},
		{requirementWords(runway.Requirement{Kind: runway.RequireSBOMSignoff, Role: runway.RoleSecurity}), "Sign-off on the SBOM change by the security team"},
		{requirementWords(runway.Requirement{Kind: runway.RequireBreakGlass, Role: runway.RoleSecurity}), "A second person confirms the break-glass release"},
		{release.Sentence(" tier 2 apps need a team lead "), "Tier 2 apps need a team lead."},
		{release.Sentence("Done."), "Done."},
		{release.Sentence(""), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/release"
)

// The pages speak to people who are not full-time developers: every value
// stored as an enum is shown in plain words, by the functions below.

// tierWords says what a tier means, such as "Tier 2: team use".
func tierWords(t runway.Tier) string {
	switch t {
	case 1:
		return "Tier 1: personal or demo"
	case 2:
		return "Tier 2: team use"
	case 3:
		return "Tier 3: org-facing or sensitive"
	}
	return "Not assessed yet"
}

// decisionWords is a decision in a few words, for lists.
func decisionWords(d runway.Decision) string {
	switch d {
	case runway.DecisionPass:
		return "Ready to deploy"
	case runway.DecisionNeedsApproval:
		return "Needs approval"
	case runway.DecisionBlocked:
		return "Blocked"
	}
	return "No decision"
}

// decisionClass names a decision for the style sheet.
func decisionClass(d runway.Decision) string {
	switch d {
	case runway.DecisionPass:
		return "pass"
	case runway.DecisionNeedsApproval:
		return "approval"
	}
	return "blocked"
}

// decisionSentence says what a candidate's decision means for the person
// who wants to ship it.
func decisionSentence(d runway.Decision, approvers []runway.Role) string {
	switch d {
	case runway.DecisionPass:
		return "Ready to deploy: nothing blocks this version and it needs no approval."
	case runway.DecisionNeedsApproval:
		if len(approvers) == 0 {
			return "Needs approval before it can be deployed to staging or production."
		}
		return "Needs approval from " + roleList(approvers) + " before it can be deployed to staging or production."
	case runway.DecisionBlocked:
		return "Blocked: this version cannot be deployed until the problems below are fixed."
	}
	return "No decision was recorded for this version: treat it as blocked and submit it again."
}

// roleWords names who holds a role, such as "a team lead".
func roleWords(r runway.Role) string {
	switch r {
	case runway.RoleDeveloper:
		return "a developer of the team"
	case runway.RoleTeamLead:
		return "a team lead"
	case runway.RoleSecurity:
		return "the security team"
	case runway.RolePlatform:
		return "the platform team"
	case runway.RoleAdmin:
		return "an admin"
	}
	return string(r)
}

// roleList joins roles in words: "the security team and the platform team".
func roleList(rs []runway.Role) string {
	words := make([]string, len(rs))
	for i, r := range rs {
		words[i] = roleWords(r)
	}
	return release.JoinWords(words)
}

// audienceWords says who uses an app.
func audienceWords(a runway.Audience) string {
	switch a {
	case runway.AudiencePersonal:
		return "Only its owner"
	case runway.AudienceTeam:
		return "Its team"
	case runway.AudienceOrg:
		return "The whole organisation"
	case runway.AudienceExternal:
		return "People outside the organisation"
	}
	return "Not declared"
}

// dataWords says what data an app handles.
func dataWords(ds []runway.DataClass) string {
	words := map[runway.DataClass]string{
		runway.DataInternal: "internal data", runway.DataPII: "personal data",
		runway.DataFinancial: "financial data", runway.DataHealth: "health data",
		runway.DataCredentials: "credentials",
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = words[d]
		if out[i] == "" {
			out[i] = string(d)
		}
	}
	if len(out) == 0 {
		return "None declared"
	}
	s := release.JoinWords(out)
	return strings.ToUpper(s[:1]) + s[1:]
}

// severityWords is a severity with a capital, such as "High".
func severityWords(s runway.Severity) string {
	if s == "" {
		return "Unrated"
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// statusWords says how a check went.
func statusWords(s runway.CheckStatus) string {
	switch s {
	case runway.StatusPass:
		return "passed"
	case runway.StatusFail:
		return "failed"
	case runway.StatusWarn:
		return "passed with warnings"
	case runway.StatusSkipped:
		return "skipped"
	case runway.StatusError:
		return "could not run"
	}
	return string(s)
}

// findingCounts sums up a candidate's findings, such as "3, 1 blocking".
func findingCounts(c runway.FindingCounts) string {
	var s string
	switch {
	case c.Total == 0:
		s = "None"
	case c.Blocking == 0:
		s = fmt.Sprintf("%d, none blocking", c.Total)
	default:
		s = fmt.Sprintf("%d, %d blocking", c.Total, c.Blocking)
	}
	if c.Accepted > 0 {
		s += fmt.Sprintf(" (%d accepted)", c.Accepted)
	}
	return s
}

// where says where a finding is, such as "app/server.js:12", or "".
func where(f runway.Finding) string {
	switch {
	case f.File == "":
		return ""
	case f.Line <= 0:
		return f.File
	}
	return f.File + ":" + strconv.Itoa(f.Line)
}

// details returns a finding's message when it says more than its title.
func details(f runway.Finding) string {
	m := strings.TrimSpace(f.Message)
	if m == "" || strings.Contains(f.Title, m) {
		return ""
	}
	return m
}

// person names the actor of an audit entry or the submitter of a
// candidate: "user:ana@example.com" reads "ana@example.com".
func person(actor string) string {
	kind, name, ok := strings.Cut(actor, ":")
	switch {
	case !ok:
		return actor
	case kind == "user":
		return name
	}
	return kind + " " + name
}

// actionWords says what an audit entry records.
func actionWords(action string) string {
	words := map[string]string{
		"app.create": "Registered an app", "app.update": "Updated an app",
		"candidate.create": "Submitted a version for checking", "team.create": "Created a team",
		"user.create": "Added a person", "token.create": "Created an API token",
		"token.revoke": "Revoked an API token", "token.use": "Used an API token",
		"server_secret.create": "Created a server key",
		"promotion.request":    "Asked to promote a version", "promotion.approve": "Approved a promotion",
		"promotion.reject": "Rejected a promotion", "promotion.start": "Started a promotion's deployment",
		"promotion.schedule": "Scheduled a promotion for its release window", "promotion.void": "Voided a promotion request",
		"promotion.expire": "A promotion request expired", "promotion.cancel": "Withdrew a promotion request",
		"promotion.remind": "Reminded approvers of a promotion request", "promotion.redecide": "Decided a promotion request again",
		"promotion.reopen": "Reopened a promotion request", "promotion.break_glass.request": "Asked for a break-glass release",
		"promotion.break_glass.confirm": "Confirmed a break-glass release", "deployment.create": "Queued a deployment",
	}
	if w, ok := words[action]; ok {
		return w
	}
	return action
}

// ago says how long ago t was, such as "3 hours ago", from now.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return "on " + t.UTC().Format("2 Jan 2006")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// due says how far ahead t is, such as "in 6 days", from now; a time
// already past reads like ago.
func due(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return ago(now, t)
	case d < time.Minute:
		return "in less than a minute"
	case d < time.Hour:
		return "in " + plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return "in " + plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		return "in " + plural(int(d/(24*time.Hour)), "day")
	}
	return "on " + t.UTC().Format("2 Jan 2006")
}

// stateWords says where a promotion request stands.
func stateWords(s runway.PromotionState) string {
	switch s {
	case runway.PromotionPending:
		return "Waiting for approval"
	case runway.PromotionScheduled:
		return "Approved, waiting for its release window"
	case runway.PromotionStarted:
		return "Started"
	case runway.PromotionRejected:
		return "Rejected"
	case runway.PromotionVoided:
		return "Voided"
	case runway.PromotionExpired:
		return "Expired"
	case runway.PromotionCancelled:
		return "Withdrawn"
	}
	return string(s)
}

// stateClass names a promotion state for the style sheet.
func stateClass(s runway.PromotionState) string {
	switch s {
	case runway.PromotionPending, runway.PromotionScheduled:
		return "approval"
	case runway.PromotionStarted:
		return "pass"
	case runway.PromotionRejected:
		return "blocked"
	}
	return "closed"
}

// verdictWords says what an approver answered.
func verdictWords(v runway.Verdict) string {
	switch v {
	case runway.Approve:
		return "Approved"
	case runway.Reject:
		return "Rejected"
	}
	return string(v)
}

// requirementWords says what one requirement of a promotion asks for,
// such as "Approval by a team lead of team web".
func requirementWords(q runway.Requirement) string {
	switch q.Kind {
	case runway.RequireBreakGlass:
		return "A second person confirms the break-glass release"
	case runway.RequireSBOMSignoff:
		return "Sign-off on the SBOM change by " + roleWords(q.Role)
	}
	s := "Approval by " + roleWords(q.Role)
	if q.Team != "" {
		s += " of team " + q.Team
	}
	return s
}

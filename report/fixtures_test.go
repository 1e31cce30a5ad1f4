package report

import (
	"time"

	"github.com/runwayhq/runway"
)

// The fixture reports the golden files are made from. They are built here,
// not read from files, so that a change to the root types breaks the build
// rather than silently dropping a field.

var started = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// fixtures returns the fixture reports by name, fresh on every call.
func fixtures() map[string]*runway.Report {
	return map[string]*runway.Report{
		"pass":           passing(),
		"blocked":        blocked(),
		"needs-approval": needsApproval(),
	}
}

func passing() *runway.Report {
	return &runway.Report{
		Schema: runway.ReportSchema, RunwayVersion: "0.4.0", App: "team-wiki", StartedAt: started, DurationMS: 8400,
		Decision: runway.DecisionPass, Tier: 1,
		Risk:              runway.Risk{Declared: runway.RiskLow, Effective: runway.RiskLow, Reasons: []string{"declared risk low → tier 1"}},
		ApprovalsRequired: []runway.Role{},
		Checks: []runway.CheckResult{
			{Name: "manifest", Status: runway.StatusPass, DurationMS: 3, Summary: "runway.yaml is valid: team-wiki, owned by support."},
			{Name: "build", Status: runway.StatusPass, DurationMS: 5120, Summary: "`npm ci` succeeded.", Log: ".runway/logs/build.log"},
			{Name: "lint", Status: runway.StatusPass, DurationMS: 1210, Summary: "`npm run lint` succeeded.", Log: ".runway/logs/lint.log"},
			{Name: "test", Status: runway.StatusPass, DurationMS: 2050, Summary: "`npm test` succeeded.", Log: ".runway/logs/test.log"},
		},
		Findings: []runway.Finding{},
		SBOM:     &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 87},
	}
}

// testExcerpt is the end of a failing test run: backticks (a run of three),
// pipes, percent signs, commas, colons and newlines, all of which need
// escaping somewhere.
const testExcerpt = "FAIL src/approve.test.js\n" +
	"  ● approve › routes 100% of requests, then notifies: team-lead\n" +
	"    expect(received).toBe(expected) // Object.is equality\n" +
	"    Expected: \"approved | pending\"\n" +
	"    Received: \"```pending```\"\n" +
	"Tests: 1 failed, 11 passed, 12 total"

const lintExcerpt = "> expense-approvals@1.0.0 lint\n" +
	"> eslint .\n" +
	"\n" +
	"/app/src/report.js\n" +
	"  12:7  error  'total' is assigned a value but never used  no-unused-vars\n" +
	"  30:1  error  Expected indentation of 2 spaces but found 4  indent\n" +
	"✖ 2 problems (2 errors, 0 warnings)"

func blocked() *runway.Report {
	return &runway.Report{
		Schema: runway.ReportSchema, RunwayVersion: "0.4.0", App: "expense-approvals", StartedAt: started, DurationMS: 75300,
		Decision: runway.DecisionBlocked, Tier: 2,
		Risk:              runway.Risk{Declared: runway.RiskMedium, Effective: runway.RiskMedium, Reasons: []string{"declared risk medium → tier 2"}},
		ApprovalsRequired: []runway.Role{},
		Checks: []runway.CheckResult{
			{Name: "manifest", Status: runway.StatusFail, DurationMS: 4, Summary: "runway.yaml has 2 problems."},
			{Name: "build", Status: runway.StatusPass, DurationMS: 31800, Summary: "`npm ci` succeeded.", Log: ".runway/logs/build.log"},
			{Name: "lint", Status: runway.StatusFail, DurationMS: 3400, Summary: "`npm run lint` failed (exit code 1).", Log: ".runway/logs/lint.log"},
			{Name: "test", Status: runway.StatusFail, DurationMS: 12900, Summary: "`npm test` failed (exit code 1).", Log: ".runway/logs/test.log"},
			{Name: "secrets", Status: runway.StatusFail, DurationMS: 610, Summary: "1 secret found in the code."},
			{Name: "sast", Status: runway.StatusWarn, DurationMS: 950, Summary: "1 risky pattern found; it does not block."},
			{Name: "sbom", Status: runway.StatusError, DurationMS: 600000, Summary: "Stopped after 10m0s, the time limit for a check. Make it faster, or raise the limit with --timeout.", Log: ".runway/logs/sbom.log"},
			{Name: "vulnerabilities", Status: runway.StatusSkipped, Summary: "No vulnerability database: run `runway db update` first."},
		},
		Findings: []runway.Finding{
			{ID: "6b1d0c2e9f3a4b5c", Check: "manifest", Kind: runway.KindManifest, Severity: runway.SeverityHigh,
				Title: `runway.yaml: unknown key "ownr"`, Message: `unknown key "ownr"`, File: "runway.yaml", Line: 2, Column: 1,
				Rule: "manifest-schema", Fix: `Did you mean "owner"? Rename the key to owner.`, Blocking: true},
			{ID: "0f4e2a9d7c1b3e5a", Check: "manifest", Kind: runway.KindManifest, Severity: runway.SeverityHigh,
				Title: `runway.yaml: risk must be one of low, medium, high`, Message: `risk must be one of low, medium, high`,
				File: "runway.yaml", Line: 5, Column: 7, Rule: "manifest-schema", Fix: "Use one of: low, medium, high.", Blocking: true},
			{ID: "9a8b7c6d5e4f3a2b", Check: "lint", Kind: runway.KindLint, Severity: runway.SeverityHigh,
				Title: "The linter found problems", Message: lintExcerpt, File: "runway.yaml", Rule: "lint-failed", Blocking: true,
				Fix: "Run `npm run lint` in the app's folder to see each problem with its file and line. Many linters fix most problems themselves (ESLint: `npx eslint --fix .`); for the rest, paste the output to your AI assistant and ask it to fix the code, then run `runway check` again."},
			{ID: "1c2d3e4f5a6b7c8d", Check: "test", Kind: runway.KindTest, Severity: runway.SeverityHigh,
				Title: "Some tests fail", Message: testExcerpt, File: "runway.yaml", Rule: "test-failed", Blocking: true,
				Fix: "Run `npm test` in the app's folder to see which test fails and why. Fix the code, or, if you changed the behaviour on purpose, update the test to match."},
			{ID: "5e6f7a8b9c0d1e2f", Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityCritical,
				Title: "A Slack bot token is written in the code", Message: "Found xoxb-…(redacted) on line 3.",
				File: "src/config, old.js", Line: 3, Column: 18, Rule: "slack-bot-token", Blocking: true,
				Fix: "Revoke the token in Slack now: anyone who saw the code can use it. Then store the new one in the platform secret store as SLACK_BOT_TOKEN and read it with process.env.SLACK_BOT_TOKEN."},
			{ID: "3a4b5c6d7e8f9a0b", Check: "sast", Kind: runway.KindSAST, Severity: runway.SeverityLow,
				Title: "Math.random() is not safe for tokens", Message: "Math.random() is predictable: someone can guess the next value.",
				File: "src/token.js", Line: 4, Column: 10, Rule: "js-insecure-random",
				Fix: "Use crypto.randomUUID() or crypto.randomBytes() to make tokens."},
		},
	}
}

func needsApproval() *runway.Report {
	return &runway.Report{
		Schema: runway.ReportSchema, RunwayVersion: "0.4.0", App: "vendor-portal", StartedAt: started, DurationMS: 41250,
		Decision: runway.DecisionNeedsApproval, Tier: 3,
		Risk: runway.Risk{Declared: runway.RiskMedium, Effective: runway.RiskHigh, Reasons: []string{
			"audience is external → tier 3",
			"handles pii data → tier 3",
			"sends data to api.stripe.com with a secret → security review",
		}},
		ApprovalsRequired: []runway.Role{runway.RoleSecurity, runway.RolePlatform},
		Checks: []runway.CheckResult{
			{Name: "manifest", Status: runway.StatusPass, DurationMS: 5, Summary: "runway.yaml is valid: vendor-portal, owned by procurement."},
			{Name: "build", Status: runway.StatusPass, DurationMS: 22400, Summary: "`go build ./...` succeeded.", Log: ".runway/logs/build.log"},
			{Name: "test", Status: runway.StatusPass, DurationMS: 9100, Summary: "`go test ./...` succeeded.", Log: ".runway/logs/test.log"},
			{Name: "vulnerabilities", Status: runway.StatusWarn, DurationMS: 1700, Summary: "1 vulnerable package; it does not block a tier 3 app at medium severity."},
			{Name: "policy", Status: runway.StatusPass, DurationMS: 2, Summary: "3 policies evaluated."},
		},
		Findings: []runway.Finding{
			{ID: "7d8e9f0a1b2c3d4e", Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityMedium,
				Title: "golang.org/x/net 0.17.0 has a known vulnerability", Message: "HTTP/2 rapid reset can make the server stop answering.",
				File: "go.mod", Rule: "GO-2023-2102",
				Advisory: &runway.Advisory{ID: "GO-2023-2102", Aliases: []string{"CVE-2023-39325", "GHSA-4374-p667-p6c8"}},
				Package:  &runway.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "0.17.0", Fixed: "0.17.1"},
				Fix:      "Upgrade: run `go get golang.org/x/net@v0.17.1 && go mod tidy`, commit go.mod and go.sum, then run `runway check` again."},
			{ID: "2b3c4d5e6f7a8b9c", Check: "policy", Kind: runway.KindPolicy, Severity: runway.SeverityInfo,
				Title: "Tier 3 apps need an SBOM sign-off", Message: "The security team reviews the software bill of materials before the first production deployment.",
				Rule: "microapp.risk/sbom_signoff", Fix: "Nothing to do now: the security approver signs the SBOM off when approving."},
		},
		SBOM: &runway.SBOMSummary{CycloneDX: ".runway/sbom.cdx.json", SPDX: ".runway/sbom.spdx.json", Components: 142},
	}
}

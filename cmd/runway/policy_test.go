package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/runwaytest"
)

// seedPolicy is DESIGN.md's example policy, unmodified (Rego v0).
const seedPolicy = `package microapp.risk
default allow = false
deny[msg] {
    input.manifest.integrations[_].requires_secret
    not input.manifest.flags.security_review
    msg = "App requires secrets; mark for security_review or request credentials via platform."
}
allow { input.manifest.risk == "low" }
`

const seedTest = `package microapp.risk_test

import rego.v1

import data.microapp.risk

test_secret_without_review_is_denied if {
	count(risk.deny) == 1 with input as {"manifest": {"integrations": [{"requires_secret": true}], "flags": {"security_review": false}}}
}

test_low_risk_is_allowed if {
	risk.allow with input as {"manifest": {"risk": "low"}}
}
`

func writeTree(t *testing.T, files map[string]string) string {
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

func TestPolicyTest(t *testing.T) {
	t.Parallel()
	good := writeTree(t, map[string]string{"risk.rego": seedPolicy, "risk_test.rego": seedTest})
	failing := writeTree(t, map[string]string{"risk.rego": seedPolicy, "risk_test.rego": strings.Replace(seedTest, "count(risk.deny) == 1", "count(risk.deny) == 2", 1)})
	broken := writeTree(t, map[string]string{"risk.rego": seedPolicy + "\ndeny[msg] {\n  msg := \n}\n"})
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"built-in policies pass their tests", []string{"policy", "test"}, exitOK, []string{"PASS: "}},
		{"an organisation's tests pass", []string{"policy", "test", good}, exitOK, []string{"PASS: 2/2"}},
		{"verbose lists each test", []string{"policy", "test", "-v", good}, exitOK, []string{"test_low_risk_is_allowed", "test_secret_without_review_is_denied"}},
		{"a failing test exits 1", []string{"policy", "test", failing}, exitBlocked, []string{"FAIL: 1/2", "test_secret_without_review_is_denied"}},
		{"a broken policy exits 2 with its position", []string{"policy", "test", broken}, exitUsage, []string{"risk.rego:12", "rule microapp.risk.deny"}},
		{"a missing folder exits 2", []string{"policy", "test", filepath.Join(good, "nope")}, exitUsage, []string{"cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := cli(t, "", tt.args...)
			out := r.stdout + r.stderr
			if r.code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", r.code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPolicyCheck(t *testing.T) {
	t.Parallel()
	good := writeTree(t, map[string]string{"risk.rego": seedPolicy, "risk_test.rego": seedTest})
	broken := writeTree(t, map[string]string{"acme.rego": "package acme\n\ndeny contains msg if {\n  msg := undefined_thing(1)\n}\n\nwarn contains msg if {\n  msg := \n}\n"})
	r := cli(t, "", "policy", "check", good)
	if r.code != exitOK || !strings.Contains(r.stdout, "parse and compile") {
		t.Errorf("good policies: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, "", "policy", "check", broken)
	if r.code != exitBlocked {
		t.Errorf("broken policies: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{filepath.Join(broken, "acme.rego") + ":9:1: rule acme.warn: rego_parse_error", "1 problem."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// savedDecision runs the engine's Decide on an app the way `runway check`
// does and returns the app's folder, which then holds
// .runway/policy-input.json.
func savedDecision(t *testing.T, policies []string, m *runway.Manifest) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, ".runway")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	e, err := opa.New(context.Background(), opa.Options{Policies: policies, Now: func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	inv := &runway.Inventory{Components: []runway.Component{{Ecosystem: "npm", Name: "express", Version: "4.21.2", PURL: "pkg:npm/express@4.21.2", Licenses: []string{"MIT"}, Direct: true}}}
	ws := &runway.Workspace{Dir: dir, OutDir: out, Manifest: m, Inventory: func() (*runway.Inventory, error) { return inv, nil }}
	rep := &runway.Report{ApprovalsRequired: []runway.Role{}, Findings: []runway.Finding{}, SBOM: &runway.SBOMSummary{Components: 1}}
	for _, name := range []string{"manifest", "build", "lint", "test", "secrets", "vulnerabilities", "sast", "sbom"} {
		c := runway.CheckResult{Name: name, Status: runway.StatusPass}
		if name == "vulnerabilities" {
			c.Details = map[string]any{"db_age_days": 9}
		}
		rep.Checks = append(rep.Checks, c)
	}
	if err := e.Decide(context.Background(), ws, rep); err != nil {
		t.Fatal(err)
	}
	return dir
}

func expenseApp(reviewed bool) *runway.Manifest {
	return &runway.Manifest{
		Name: "expense-approvals", Owner: "finance", Risk: runway.RiskMedium, Audience: runway.AudienceTeam, ExpectedUsers: 60,
		Data:         []runway.DataClass{runway.DataInternal},
		Integrations: []runway.Integration{{Name: "slack", Host: "slack.com", RequiresSecret: true, Secret: "SLACK_BOT_TOKEN"}},
		Flags:        runway.ManifestFlags{SecurityReview: reviewed},
		Run:          runway.RunSpec{Test: "npm test"},
	}
}

// TestPolicyExplain is the golden explanation of a blocked decision under
// the seed policy, replayed from the saved input.
func TestPolicyExplain(t *testing.T) {
	t.Parallel()
	seed := writeTree(t, map[string]string{"risk.rego": seedPolicy})
	app := savedDecision(t, []string{seed}, expenseApp(false))
	r := cli(t, "", "policy", "explain", app, "--policy", seed)
	if r.code != exitBlocked {
		t.Fatalf("exit %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
	runwaytest.Golden(t, "testdata/policy-explain.golden", []byte(strings.ReplaceAll(r.stdout, seed, "POLICIES")))

	r = cli(t, "", "policy", "explain", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "run `runway check") {
		t.Errorf("explain without a saved input: exit %d\n%s", r.code, r.stderr)
	}
}

func TestPolicyEval(t *testing.T) {
	t.Parallel()
	app := savedDecision(t, nil, expenseApp(true))
	input := filepath.Join(app, ".runway", opa.InputFile)
	r := cli(t, "", "policy", "eval", "--input", input)
	if r.code != exitOK {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	var d opa.Decision
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("output is not a decision: %v\n%s", err, r.stdout)
	}
	if d.Decision != runway.DecisionNeedsApproval || d.Tier != 2 || len(d.Approvals) != 1 || d.Approvals[0].Role != runway.RoleTeamLead {
		t.Errorf("decision %s, tier %d, approvals %+v; want needs_approval, 2, team-lead", d.Decision, d.Tier, d.Approvals)
	}

	// A what-if: the same input going to production without a review.
	data, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	whatIf := filepath.Join(t.TempDir(), "what-if.json")
	os.WriteFile(whatIf, []byte(strings.Replace(string(data), `"security_review": true`, `"security_review": false`, 1)), 0o644)
	r = cli(t, "", "policy", "eval", "--input", whatIf, "--explain=fails", "--format", "text")
	if r.code != exitBlocked {
		t.Errorf("what-if without review: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Fail", "BLOCKED", "runway.integrations.secret_needs_review"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"policy", "eval"}, "needs --input"},
		{[]string{"policy", "eval", "--input", input, "--explain=everything"}, "not one of full, notes, fails"},
		{[]string{"policy", "eval", "--input", input, "--format", "xml"}, "not one of json, text"},
		{[]string{"policy", "eval", "--input", filepath.Join(app, "missing.json")}, "cannot read the policy input"},
		{[]string{"policy", "eval", "--input", filepath.Join(app, ".runway")}, "cannot read the policy input"},
	} {
		r := cli(t, "", tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 containing %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

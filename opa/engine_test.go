package opa

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

const seedMessage = "App requires secrets; mark for security_review or request credentials via platform."

// TestScenarios: manifests and reports → tier, decision and approvals,
// under the built-in bundle alone or with the seed policy of DESIGN.md.
func TestScenarios(t *testing.T) {
	t.Parallel()
	seed := []string{"testdata/seed"}
	unreviewed := teamApp()
	unreviewed.Flags.SecurityReview = false
	lowOrgPII := personalApp()
	lowOrgPII.Name, lowOrgPII.Audience, lowOrgPII.ExpectedUsers = "staff-directory", runway.AudienceOrg, 4000
	lowOrgPII.Data = []runway.DataClass{runway.DataPII}
	tests := []struct {
		name      string
		policies  []string
		manifest  *runway.Manifest
		env       string
		tier      runway.Tier
		decision  runway.Decision
		approvals []runway.Role
		deny      []string
		message   string
	}{
		{name: "personal app with no data", manifest: personalApp(),
			tier: 1, decision: runway.DecisionPass, approvals: []runway.Role{}, deny: []string{}},
		{name: "team app with internal data and a reviewed Slack integration", manifest: teamApp(),
			tier: 2, decision: runway.DecisionNeedsApproval, approvals: []runway.Role{"team-lead"}, deny: []string{}},
		{name: "external app with PII and payments", manifest: paymentsApp(),
			tier: 3, decision: runway.DecisionNeedsApproval, approvals: []runway.Role{"security", "platform"}, deny: []string{}},
		{name: "team app without security_review under the seed policy", policies: seed, manifest: unreviewed,
			tier: 3, decision: runway.DecisionBlocked, approvals: []runway.Role{"security", "platform"},
			deny:    []string{"deny microapp.risk.deny", "deny runway.integrations.secret_needs_review"},
			message: seedMessage},
		{name: "low-labelled app with PII for the whole organisation is not auto-approved", policies: seed, manifest: lowOrgPII,
			tier: 3, decision: runway.DecisionNeedsApproval, approvals: []runway.Role{"security", "platform"}, deny: []string{}},
		{name: "team app in its sandbox needs nobody", manifest: teamApp(), env: "sandbox",
			tier: 2, decision: runway.DecisionPass, approvals: []runway.Role{}, deny: []string{}},
		{name: "no manifest fails closed", manifest: nil,
			tier: 3, decision: runway.DecisionBlocked, approvals: []runway.Role{"security", "platform"},
			deny: []string{"deny runway.gate.manifest_unreadable", "deny runway.sbom.sbom_missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, Options{Policies: tt.policies, Environment: tt.env})
			ws := workspace(t, tt.manifest, smallInventory())
			r := cleanReport()
			if tt.manifest == nil {
				r.SBOM = nil
			}
			if err := e.Decide(context.Background(), ws, r); err != nil {
				t.Fatal(err)
			}
			if r.Tier != tt.tier || r.Decision != tt.decision {
				t.Errorf("tier %d, decision %s; want tier %d, %s\nreasons: %q\nfindings: %v", r.Tier, r.Decision, tt.tier, tt.decision, r.Risk.Reasons, titles(r.Findings))
			}
			if diff := cmp.Diff(tt.approvals, r.ApprovalsRequired); diff != "" {
				t.Errorf("approvals (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.deny, denyRules(r.Findings)); diff != "" {
				t.Errorf("denies (-want +got):\n%s", diff)
			}
			if tt.message != "" && !slices.Contains(titles(r.Findings), tt.message) {
				t.Errorf("no finding says %q: %q", tt.message, titles(r.Findings))
			}
		})
	}
}

func titles(fs []runway.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Title)
	}
	return out
}

func denyRules(fs []runway.Finding) []string {
	out := []string{}
	for _, f := range fs {
		if f.Kind == runway.KindPolicy && f.Blocking {
			out = append(out, "deny "+f.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// TestRiskReasons: every tier carries its reasons in plain words, and the
// declared risk raises but never lowers.
func TestRiskReasons(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{})
	m := personalApp()
	m.Audience, m.Data = runway.AudienceOrg, []runway.DataClass{runway.DataPII}
	r := cleanReport()
	if err := e.Decide(context.Background(), workspace(t, m, smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	want := runway.Risk{Declared: "low", Effective: "high", Reasons: []string{
		"handles personal data (pii) → tier 3",
		"is used across the whole organisation (org) → tier 3",
		"you declared risk low → tier 1",
	}}
	if diff := cmp.Diff(want, r.Risk); diff != "" {
		t.Errorf("risk (-want +got):\n%s", diff)
	}
}

// TestPolicyFindings: a deny becomes a blocking finding naming the rule,
// the policy file and line, the fix and who can grant an exception; a
// warning does not block.
func TestPolicyFindings(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{Policies: []string{"testdata/seed"}})
	m := teamApp()
	m.Flags.SecurityReview = false
	r := cleanReport()
	if err := e.Decide(context.Background(), workspace(t, m, smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	var seedFinding *runway.Finding
	for i, f := range r.Findings {
		if f.Rule == "microapp.risk.deny" {
			seedFinding = &r.Findings[i]
		}
	}
	if seedFinding == nil {
		t.Fatalf("no finding for the seed rule: %v", titles(r.Findings))
	}
	want := runway.Finding{
		ID: seedFinding.ID, Check: "policy", Kind: runway.KindPolicy, Severity: runway.SeverityHigh, Title: seedMessage,
		Message:  "Rule microapp.risk.deny (testdata/seed/risk.rego:3) blocks the app.",
		File:     "testdata/seed/risk.rego",
		Line:     3,
		Rule:     "microapp.risk.deny",
		Fix:      "Change the app so that the rule no longer applies, then run `runway check` again; `runway policy explain` shows the full reasoning. If it must ship as it is, someone with the platform role can grant a time-limited exception for rule microapp.risk.deny.",
		Blocking: true,
	}
	if diff := cmp.Diff(want, *seedFinding); diff != "" {
		t.Errorf("seed finding (-want +got):\n%s", diff)
	}
	last := r.Checks[len(r.Checks)-1]
	if last.Name != "policy" || last.Status != runway.StatusFail {
		t.Errorf("policy check result = %+v", last)
	}
}

// TestFailsClosed: broken policies are errors naming file, line and rule,
// never a silent pass.
func TestFailsClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		files  map[string]string
		decide bool
		want   []string
	}{
		{name: "parse error", files: map[string]string{"p.rego": "package acme\n\ndeny contains msg if {\n  msg := \n}\n"},
			want: []string{"p.rego:5", "rule acme.deny", "rego_parse_error"}},
		{name: "compile error", files: map[string]string{"p.rego": "package acme\n\ndeny contains msg if {\n  msg := undefined_thing(1)\n}\n"},
			want: []string{"p.rego:4", "rule acme.deny", "undefined function undefined_thing"}},
		{name: "network call", files: map[string]string{"p.rego": "package acme\n\ndeny contains msg if {\n  r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1\"})\n  msg := r.body\n}\n"},
			want: []string{"p.rego:4", "rule acme.deny", "policies offline"}},
		{name: "reserved package", files: map[string]string{"p.rego": "package runway.secrets\n\ndeny contains \"x\" if true\n"},
			want: []string{"p.rego:1", "belong to the built-in policies"}},
		{name: "evaluation error", decide: true, files: map[string]string{"p.rego": "package acme\n\ntier := 2 if input.environment == \"production\"\n\ntier := 3 if input.manifest.name != \"\"\n"},
			want: []string{"p.rego:3", "rule acme.tier", "eval_conflict_error", "the app is blocked"}},
		{name: "builtin error is not a silent undefined", decide: true, files: map[string]string{"p.rego": "package acme\n\ndeny contains msg if {\n  n := to_number(input.manifest.name)\n  msg := sprintf(\"%v\", [n])\n}\n"},
			want: []string{"p.rego:4", "rule acme.deny", "eval_builtin_error"}},
		{name: "tier out of range", decide: true, files: map[string]string{"p.rego": "package acme\n\ntier := \"high\"\n"},
			want: []string{"p.rego:3", "rule acme.tier", "tier must be 1, 2 or 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writePolicies(t, tt.files)
			e, err := New(context.Background(), Options{Policies: []string{dir}, Now: fixedNow})
			if tt.decide {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				r := cleanReport()
				r.Decision = runway.DecisionPass
				err = e.Decide(context.Background(), workspace(t, personalApp(), smallInventory()), r)
				if r.Decision != runway.DecisionBlocked {
					t.Errorf("decision after an error = %s, want blocked", r.Decision)
				}
			}
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("error %v (code %q), want EINVALID", err, runway.ErrorCode(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestRegoVersions: v0 and v1 files load side by side, in folders and in
// bundle archives, and each is parsed in its own version.
func TestRegoVersions(t *testing.T) {
	t.Parallel()
	dir := writePolicies(t, map[string]string{
		"v0.rego": "package acme.old\n\ndeny[msg] {\n  input.manifest.owner == \"nobody\"\n  msg := \"v0 rule\"\n}\n",
		"v1.rego": "package acme.new\n\ndeny contains \"v1 rule\" if input.manifest.owner == \"nobody\"\n",
	})
	e := newEngine(t, Options{Policies: []string{dir}})
	m := personalApp()
	m.Owner = "nobody"
	r := cleanReport()
	if err := e.Decide(context.Background(), workspace(t, m, smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"deny acme.new.deny", "deny acme.old.deny"}, denyRules(r.Findings)); diff != "" {
		t.Errorf("denies (-want +got):\n%s", diff)
	}
}

// TestSavedInput: Decide saves the exact input, and Eval on it gives the
// same decision.
func TestSavedInput(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{Policies: []string{"testdata/seed"}})
	ws := workspace(t, teamApp(), smallInventory())
	r := cleanReport()
	if err := e.Decide(context.Background(), ws, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(ws.OutDir, InputFile))
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Eval(context.Background(), data, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Decision != r.Decision || d.Tier != r.Tier || !slices.Equal(d.Roles(), r.ApprovalsRequired) {
		t.Errorf("replayed %s/%d/%v, decided %s/%d/%v", d.Decision, d.Tier, d.Roles(), r.Decision, r.Tier, r.ApprovalsRequired)
	}
	_, err = e.Eval(context.Background(), []byte("[1, 2]"), nil, "")
	if runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("Eval of a non-object = %v, want EINVALID", err)
	}
}

// TestInventoryProblems: when the dependencies cannot be listed, the input
// says so and the policies warn, instead of judging an empty list.
func TestInventoryProblems(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{})
	for name, inv := range map[string]func() (*runway.Inventory, error){
		"error": func() (*runway.Inventory, error) { return nil, errors.New("package-lock.json is not valid JSON") },
		"none":  nil,
	} {
		ws := workspace(t, personalApp(), nil)
		ws.Inventory = inv
		r := cleanReport()
		if err := e.Decide(context.Background(), ws, r); err != nil {
			t.Fatal(err)
		}
		var warned bool
		for _, f := range r.Findings {
			warned = warned || f.Rule == "runway.sbom.inventory_unavailable"
		}
		if !warned {
			t.Errorf("%s: no inventory warning in %v", name, titles(r.Findings))
		}
	}
}

// TestAllow: a package's allow waives the approvals of a tier-1 app only.
func TestAllow(t *testing.T) {
	t.Parallel()
	org := writePolicies(t, map[string]string{"release.rego": "package acme.release\n\napprovals contains {\"role\": \"platform\", \"reason\": \"every production release\"} if input.environment == \"production\"\n"})
	e := newEngine(t, Options{Policies: []string{org, "testdata/seed"}})
	r := cleanReport()
	if err := e.Decide(context.Background(), workspace(t, personalApp(), smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	if r.Decision != runway.DecisionPass || len(r.ApprovalsRequired) != 0 {
		t.Errorf("tier-1 app with allow: %s %v, want pass without approvals", r.Decision, r.ApprovalsRequired)
	}
	m := personalApp()
	m.Risk = runway.RiskMedium // allow is false, and tier 2
	r = cleanReport()
	if err := e.Decide(context.Background(), workspace(t, m, smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]runway.Role{"team-lead", "platform"}, r.ApprovalsRequired); r.Decision != runway.DecisionNeedsApproval || diff != "" {
		t.Errorf("tier-2 app: %s, approvals (-want +got):\n%s", r.Decision, diff)
	}
}

// TestLicenseOptions: the licence lists come from the options.
func TestLicenseOptions(t *testing.T) {
	t.Parallel()
	inv := smallInventory()
	inv.Components = append(inv.Components, runway.Component{Ecosystem: "npm", Name: "gpl-lib", Version: "1.0.0", Licenses: []string{"GPL-3.0-only"}},
		runway.Component{Ecosystem: "npm", Name: "agpl-dev-tool", Version: "1.0.0", Licenses: []string{"AGPL-3.0-only"}, Dev: true})
	decide := func(l Licenses) []string {
		e := newEngine(t, Options{Licenses: l})
		r := cleanReport()
		if err := e.Decide(context.Background(), workspace(t, paymentsApp(), inv), r); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range r.Findings {
			if f.Rule == "runway.licenses.refused_license" {
				out = append(out, f.Title)
			}
		}
		return out
	}
	if got := decide(Licenses{}); len(got) != 0 {
		t.Errorf("defaults refuse %v; a dev-only AGPL tool is not shipped", got)
	}
	want := []string{"Dependencies have licences the organisation does not accept: GPL-3.0-only (gpl-lib@1.0.0)"}
	if diff := cmp.Diff(want, decide(Licenses{Deny: []string{"GPL-*"}})); diff != "" {
		t.Errorf("deny list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, decide(Licenses{Allow: []string{"MIT", "Apache-2.0"}})); diff != "" {
		t.Errorf("allow list (-want +got):\n%s", diff)
	}
}

// TestOptionsAndOutputsAreChecked: a bad environment, an unknown role or a
// decision log that cannot be written are errors, not silent passes.
func TestOptionsAndOutputsAreChecked(t *testing.T) {
	t.Parallel()
	if _, err := New(context.Background(), Options{Environment: "prod"}); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("environment prod: %v", err)
	}
	org := writePolicies(t, map[string]string{"dpo.rego": "package acme.dpo\n\napprovals contains \"data-protection-officer\" if true\n"})
	e := newEngine(t, Options{Policies: []string{org}})
	err := e.Decide(context.Background(), workspace(t, personalApp(), smallInventory()), cleanReport())
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "rule acme.dpo.approvals") {
		t.Errorf("unknown role: %v", err)
	}
	e = newEngine(t, Options{DecisionLog: failingWriter{}})
	if err := e.Decide(context.Background(), workspace(t, personalApp(), smallInventory()), cleanReport()); err == nil {
		t.Error("a decision log that cannot be written is not an error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestCancel: a cancelled context stops a long evaluation with the
// context's error, and the app is left blocked.
func TestCancel(t *testing.T) {
	t.Parallel()
	slow := writePolicies(t, map[string]string{"slow.rego": "package acme.slow\n\nwarn contains \"slow\" if {\n\tcount([x | some x in numbers.range(1, 100000000)]) > 0\n}\n"})
	e := newEngine(t, Options{Policies: []string{slow}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := cleanReport()
	start := time.Now()
	err := e.Decide(ctx, workspace(t, teamApp(), smallInventory()), r)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Decide = %v, want the context's deadline", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the evaluation stopped after %v", took)
	}
	if r.Decision != runway.DecisionBlocked {
		t.Errorf("decision %q, want blocked", r.Decision)
	}
}

package opa

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// TestBuiltinMessages renders every finding the built-in policies can
// raise, as a citizen developer reads them, into a golden file: what
// happened, why it matters (with the rule and its file), the fix and who
// can grant an exception.
func TestBuiltinMessages(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{})
	var b strings.Builder
	seen := map[string]bool{}
	for _, sc := range messageScenarios() {
		if err := e.Decide(context.Background(), sc.ws, sc.report); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "# %s: %s, tier %d\n", sc.name, sc.report.Decision, sc.report.Tier)
		var fs []runway.Finding
		for _, f := range sc.report.Findings {
			if f.Kind == runway.KindPolicy {
				fs = append(fs, f)
			}
		}
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Rule < fs[j].Rule })
		for _, f := range fs {
			level := "warn"
			if f.Blocking {
				level = "deny"
			}
			seen[f.Rule] = true
			fmt.Fprintf(&b, "\n[%s] %s (%s:%d, %s)\nTitle: %s\nMessage: %s\nFix: %s\n", level, f.Rule, f.File, f.Line, f.Severity, f.Title, f.Message, f.Fix)
		}
		b.WriteString("\n")
	}
	runwaytest.Golden(t, "testdata/messages.golden", []byte(b.String()))
	for _, rule := range builtinRules(t, e) {
		if !seen[rule] {
			t.Errorf("no scenario raises %s: add one so its message is reviewed", rule)
		}
	}
}

type messageScenario struct {
	name   string
	ws     *runway.Workspace
	report *runway.Report
}

func messageScenarios() []messageScenario {
	m := paymentsApp()
	m.Flags.SecurityReview = false
	m.Integrations = append(m.Integrations, runway.Integration{Name: "partners", Host: "*.partners.example.com"})
	r := cleanReport()
	r.SBOM = nil
	r.Checks[2].Status, r.Checks[2].Summary = runway.StatusError, "Stopped after 10m0s, the time limit for a check."
	r.Checks[3].Status, r.Checks[3].Summary = runway.StatusSkipped, "No test command."
	r.Checks[5].Details = map[string]any{"db_age_days": 12}
	r.Checks[6].Status = runway.StatusError
	r.Checks[7].Details = map[string]any{"outbound_hosts": []any{"api.stripe.com", "tracker.example.net"}}
	r.Findings = []runway.Finding{
		{ID: "1", Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityHigh, Title: "Stripe key", File: "app/pay.js", Line: 4, Rule: "stripe-access-token"},
		{ID: "2", Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: runway.SeverityCritical, Title: "Prototype pollution", File: "package-lock.json",
			Package: &runway.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.20", Fixed: "4.17.21"}},
		{ID: "3", Check: "sast", Kind: runway.KindSAST, Severity: runway.SeverityHigh, Title: "SQL built from input", File: "app/db.js", Line: 22, Rule: "js-sql-injection"},
	}
	inv := smallInventory()
	inv.Components = append(inv.Components, runway.Component{Ecosystem: "npm", Name: "server-kit", Version: "2.0.0", Licenses: []string{"AGPL-3.0-only"}})
	broken := &runway.Workspace{Dir: "/app", Inventory: func() (*runway.Inventory, error) {
		return nil, errors.New("package-lock.json is not valid JSON: unexpected end of input")
	}}
	return []messageScenario{
		{"an external payments app that breaks every rule", &runway.Workspace{Dir: "/app", Manifest: m, Inventory: func() (*runway.Inventory, error) { return inv, nil }}, r},
		{"an app whose runway.yaml and lockfile cannot be read", broken, cleanReport()},
	}
}

// builtinRules lists the rule ids the built-in policies define.
func builtinRules(t *testing.T, e *Engine) []string {
	var out []string
	for key, loc := range e.ps.rules.byID {
		parts := strings.Split(key, "\x00")
		if strings.HasPrefix(loc.file, builtinPrefix) && parts[1] == "rule" {
			out = append(out, parts[0]+"."+parts[2])
		}
	}
	sort.Strings(out)
	if len(out) < 14 {
		t.Fatalf("only %d built-in rules found: %v", len(out), out)
	}
	return out
}

package opa

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/runwayhq/runway"
)

// summaryInputs are inputs that exercise every field of the summary.
func summaryInputs(t *testing.T) map[string]*input {
	t.Helper()
	out := map[string]*input{}
	for _, sc := range messageScenarios() {
		out[sc.name] = buildInput(sc.ws, sc.report, "production", nil, now)
	}
	for i, seed := range scenarioSeeds(t) {
		var sc scenario
		if err := json.Unmarshal(seed, &sc); err != nil {
			t.Fatal(err)
		}
		ws := &runway.Workspace{Manifest: sc.Manifest}
		if sc.Inventory != nil {
			ws.Inventory = func() (*runway.Inventory, error) { return sc.Inventory, nil }
		}
		out[fmt.Sprintf("seed %d", i)] = buildInput(ws, &sc.Report, "production", nil, now)
	}
	// Hosts given as an object, with values that are not strings; a
	// licence with several choices; findings of every kind and severity.
	r := realisticReport()
	r.Checks[1].Details = map[string]any{"outbound_hosts": map[string]any{"a": "b.example.com", "n": 3}}
	r.Checks[2].Details = map[string]any{"outbound_hosts": []any{"c.example.com", true, "b.example.com"}}
	for _, kind := range runway.FindingKinds[:len(runway.FindingKinds)-1] {
		for _, sev := range runway.Severities {
			r.Findings = append(r.Findings, runway.Finding{ID: string(kind) + string(sev), Kind: kind, Severity: sev, Column: 2, Commit: "abc123",
				Package: &runway.Package{Name: "p", Version: "1", Fixed: map[bool]string{true: "2"}[sev == runway.SeverityCritical]}})
		}
	}
	inv := realisticInventory()
	inv.Components[0].Licenses = []string{"(MIT AND BSD-3-Clause) OR GPL-2.0-only"}
	out["every kind"] = buildInput(workspace(t, paymentsApp(), inv), r, "production", nil, now)
	return out
}

// TestSummaryMatchesRego: the summary Runway computes in Go is exactly
// what data.runway.lib.summary works out in Rego for an input without
// one, so tests and inputs written by hand see the same facts as Runway.
func TestSummaryMatchesRego(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{})
	q, err := rego.New(rego.Compiler(e.ps.compiler), rego.Store(e.ps.store), rego.Query("data.runway.lib.summary")).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range summaryInputs(t) {
		checkValue(t, in)
		v := in.value().(ast.Object)
		without := ast.NewObject()
		v.Foreach(func(k, val *ast.Term) {
			if !k.Equal(key("summary")) {
				without.Insert(k, val)
			}
		})
		rs, err := q.Eval(context.Background(), rego.EvalParsedInput(without))
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %v (%d results)", name, err, len(rs))
		}
		got, err := ast.InterfaceToValue(rs[0].Expressions[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		if want := in.Summary.term().Value; got.Compare(want) != 0 {
			t.Errorf("%s: Rego works out\n%v\nGo computed\n%v", name, got, want)
		}
	}
}

// TestBuiltinOutputs: Runway reads the built-in packages' issues directly
// (engineModule); their deny and warn rules, which tests and other
// policies read, must say exactly the same, exceptions included.
func TestBuiltinOutputs(t *testing.T) {
	t.Parallel()
	file := writeExceptions(t, `exceptions:
  - app: customer-payments
    rule: runway.secrets.secret_in_code
    reason: The key is a revoked test key kept for the fixtures.
    approver: dana (security)
    expires: 2026-12-31
  - app: customer-payments
    rule: runway.egress.wildcard_host
    reason: The partner's hosts are being listed this week.
    approver: kim (platform)
    expires: 2026-12-31
`)
	e := newEngine(t, Options{Exceptions: file})
	var pkgs []string
	var refs []string
	for _, p := range e.ps.packages {
		if p.issues {
			pkgs = append(pkgs, p.Name)
			refs = append(refs, fmt.Sprintf("[data.%s.deny, data.%s.warn]", p.Name, p.Name))
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("only %d built-in packages define issues: %v", len(pkgs), pkgs)
	}
	q, err := rego.New(rego.Compiler(e.ps.compiler), rego.Store(e.ps.store), rego.Query("["+strings.Join(refs, ", ")+"]"),
		rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	scenarios := messageScenarios()
	// Without a manifest nothing can be excepted, even with an exception
	// for the rule: its exception_by is "none".
	noManifest := exceptionScenario()
	for _, sc := range append(scenarios, noManifest) {
		in := buildInput(sc.ws, sc.report, "production", e.exceptions, now)
		if sc.name == noManifest.name {
			in.Exceptions = []ExceptionState{{Exception: Exception{Rule: "runway.gate.manifest_unreadable", Approver: "x", Reason: "r", Expires: "2030-01-01"}, Active: true}}
		}
		v := in.value()
		d, err := e.evaluate(context.Background(), in, v, nil)
		if err != nil {
			t.Fatal(err)
		}
		var engine []string
		for _, viol := range append(d.Denies, d.Warnings...) {
			if strings.HasPrefix(viol.Rule, "runway.") {
				engine = append(engine, describeViolation(viol))
			}
		}
		rs, err := q.Eval(context.Background(), rego.EvalParsedInput(v), rego.EvalTime(now))
		if err != nil {
			t.Fatal(err)
		}
		var policies []string
		outs := rs[0].Expressions[0].Value.(*ast.Term).Value.(*ast.Array)
		for i, pkg := range pkgs {
			pair := outs.Elem(i).Value.(*ast.Array)
			for j, level := range []string{"deny", "warn"} {
				items, _ := elements(pair.Elem(j).Value)
				for _, it := range items {
					policies = append(policies, describeViolation(e.ps.violation(pkg, level, it.Value)))
				}
			}
		}
		sort.Strings(engine)
		sort.Strings(policies)
		if diff := cmp.Diff(policies, engine); diff != "" {
			t.Errorf("%s: the engine and the deny/warn rules differ (-rules +engine):\n%s", sc.name, diff)
		}
		if len(engine) == 0 {
			t.Errorf("%s: no built-in violation to compare", sc.name)
		}
	}
}

func exceptionScenario() messageScenario {
	r := cleanReport()
	r.SBOM = nil
	return messageScenario{"no manifest, with an exception for the rule that says so", &runway.Workspace{Dir: "/app"}, r}
}

func describeViolation(v Violation) string {
	s := fmt.Sprintf("%s %s %q why=%q fix=%q by=%q at %s:%d", v.Level, v.Rule, v.Message, v.Why, v.Fix, v.ExceptionBy, v.File, v.Line)
	if e := v.Exception; e != nil {
		s += fmt.Sprintf(" excepted by %s until %s: %s", e.Approver, e.Expires, e.Reason)
	}
	return s
}

// TestEvalRecomputesSummary: a saved input replayed with a stale or
// missing summary is judged on its findings, not on the summary.
func TestEvalRecomputesSummary(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Options{})
	ws := workspace(t, teamApp(), smallInventory())
	r := cleanReport()
	r.Findings = append(r.Findings, runway.Finding{ID: "k", Check: "secrets", Kind: runway.KindSecret, Severity: runway.SeverityHigh, Title: "AWS key", File: "app.js", Line: 3})
	if err := e.Decide(context.Background(), ws, r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(ws.OutDir, InputFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"summary"`) {
		t.Fatalf("the saved input has no summary: %s", data)
	}
	for _, tt := range []struct {
		name    string
		edit    func(map[string]any)
		blocked bool
	}{
		{"as saved", func(map[string]any) {}, true},
		{"stale summary", func(d map[string]any) { d["summary"] = map[string]any{"open": map[string]any{}} }, true},
		{"no summary", func(d map[string]any) { delete(d, "summary") }, true},
		{"finding removed", func(d map[string]any) { d["findings"] = []any{} }, false},
	} {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		tt.edit(doc)
		edited, _ := json.Marshal(doc)
		d, err := e.Eval(context.Background(), edited, nil, "")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := d.Decision == runway.DecisionBlocked; got != tt.blocked {
			t.Errorf("%s: blocked = %v, want %v (%s)", tt.name, got, tt.blocked, rules(d.Denies))
		}
	}
}

package opa

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/runwayhq/runway"
)

// scenario is what the input builder reads, as one JSON document: the
// manifest, the report and the inventory.
type scenario struct {
	Manifest  *runway.Manifest  `json:"manifest"`
	Report    runway.Report     `json:"report"`
	Inventory *runway.Inventory `json:"inventory"`
}

func scenarioSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, sc := range []scenario{
		{Manifest: teamApp(), Report: *cleanReport(), Inventory: smallInventory()},
		{Manifest: paymentsApp(), Report: *realisticReport(), Inventory: realisticInventory()},
		{Manifest: nil, Report: runway.Report{}},
	} {
		data, err := json.Marshal(sc)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// checkValue asserts the fast conversion equals the input's JSON form.
func checkValue(t testing.TB, in *input) {
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal input: %v", err)
	}
	var raw any
	if err := util.UnmarshalJSON(data, &raw); err != nil {
		t.Fatalf("the input's JSON does not parse: %v", err)
	}
	want, err := ast.InterfaceToValue(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.value(); got.Compare(want) != 0 {
		t.Fatalf("the converted input differs from its JSON form:\nconverted: %v\njson:      %v", got, want)
	}
}

// TestValueMatchesJSON: the hand-written conversion gives exactly the
// value OPA would build from policy-input.json.
func TestValueMatchesJSON(t *testing.T) {
	t.Parallel()
	for _, seed := range scenarioSeeds(t) {
		var sc scenario
		if err := json.Unmarshal(seed, &sc); err != nil {
			t.Fatal(err)
		}
		ws := &runway.Workspace{Manifest: sc.Manifest}
		if sc.Inventory != nil {
			ws.Inventory = func() (*runway.Inventory, error) { return sc.Inventory, nil }
		}
		exc := []Exception{{App: "customer-payments", Rule: "runway.sast.serious_weakness", Reason: "r", Approver: "a", Expires: "2026-12-31", Environments: []string{"production"}}}
		checkValue(t, buildInput(ws, &sc.Report, "production", exc, now))
	}
}

// FuzzInput builds the policy input from arbitrary manifests, findings,
// check details and licences: the conversion must match the JSON form, and
// deciding on it must give a decision or a clear error, never a panic.
func FuzzInput(f *testing.F) {
	f.Add("medium", "team", 60, "internal,pii", "slack.com", true, false, "vulnerability", "high", "1.0.1", false, "MIT OR Apache-2.0", false, "vulnerabilities", "pass", 3.0, "production")
	f.Add("low", "personal", 1, "", "", false, false, "secret", "critical", "", true, "AGPL-3.0-only", true, "sast", "error", 9.5, "sandbox")
	f.Add("high", "external", 99999, "financial,health", "*.example.com", true, true, "sast", "high", "", false, "(MIT AND BSD-3-Clause) OR GPL-2.0+", false, "test", "skipped", -1.0, "staging")
	e := newEngine(f, Options{Policies: []string{"testdata/seed", "testdata/org"}})
	f.Fuzz(func(t *testing.T, risk, audience string, users int, data, host string, secret, review bool,
		kind, severity, fixed string, suppressed bool, licence string, dev bool, check, status string, age float64, env string) {
		m := teamApp()
		m.Risk, m.Audience, m.ExpectedUsers, m.Flags.SecurityReview = runway.RiskLevel(risk), runway.Audience(audience), users, review
		m.Data = nil
		for _, d := range strings.Split(data, ",") {
			if d != "" {
				m.Data = append(m.Data, runway.DataClass(d))
			}
		}
		m.Integrations = []runway.Integration{{Name: "x", Host: host, RequiresSecret: secret}}
		r := cleanReport()
		fd := runway.Finding{ID: "f", Kind: runway.FindingKind(kind), Severity: runway.Severity(severity), Title: kind, File: "a.js", Line: users % 100,
			Package: &runway.Package{Name: "p", Version: "1", Fixed: fixed}}
		if suppressed {
			fd.Suppression = &runway.Suppression{Source: "runway.allow.yaml", Reason: "r"}
		}
		r.Findings = append(r.Findings, fd)
		r.Checks = append(r.Checks, runway.CheckResult{Name: check, Status: runway.CheckStatus(status), Details: map[string]any{"db_age_days": age, "outbound_hosts": []any{host}}})
		inv := &runway.Inventory{Components: []runway.Component{{Ecosystem: "npm", Name: "p", Version: "1", Licenses: []string{licence}, Dev: dev}}}
		ws := &runway.Workspace{Manifest: m, Inventory: func() (*runway.Inventory, error) { return inv, nil }}
		checkValue(t, buildInput(ws, r, env, nil, now))
		e.env = env
		err := e.Decide(context.Background(), ws, r)
		if err != nil {
			if code := runway.ErrorCode(err); code != runway.EINVALID {
				t.Fatalf("Decide: %v (code %s)", err, code)
			}
			if r.Decision != runway.DecisionBlocked {
				t.Fatalf("an error left the decision %q", r.Decision)
			}
			return
		}
		if r.Tier < 1 || r.Tier > 3 || r.Decision == "" {
			t.Fatalf("decision %q at tier %d", r.Decision, r.Tier)
		}
	})
}

// FuzzEval replays arbitrary saved inputs: a decision or an EINVALID
// error, never a panic or an internal error.
func FuzzEval(f *testing.F) {
	for _, s := range [][]byte{[]byte(`{}`), []byte(`{"manifest": null, "findings": [{"blocking": true}]}`), []byte(`[1]`), []byte(`{"findings": "x"}`)} {
		f.Add(s)
	}
	e := newEngine(f, Options{Policies: []string{"testdata/seed"}})
	ws := workspace(f, teamApp(), smallInventory())
	if err := e.Decide(context.Background(), ws, cleanReport()); err != nil {
		f.Fatal(err)
	}
	saved, err := os.ReadFile(ws.OutDir + "/" + InputFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(saved)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := e.Eval(context.Background(), data, nil, "")
		if err != nil {
			if code := runway.ErrorCode(err); code != runway.EINVALID {
				t.Fatalf("Eval: %v (code %s)", err, code)
			}
			return
		}
		if d.Tier < 1 || d.Tier > 3 || d.Decision == "" {
			t.Fatalf("decision %q at tier %d", d.Decision, d.Tier)
		}
	})
}

// FuzzLoad loads arbitrary text as an organisation's policy file: problems
// must name the file and say what is wrong, and a policy that loads must
// evaluate to a decision or a clear error. The built-in bundle is left out
// so that each run compiles one file (TestFailsClosed covers the two
// together).
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"package microapp.risk\ndefault allow = false\ndeny[msg] {\n  input.manifest.integrations[_].requires_secret\n  msg = \"x\"\n}\n",
		"package acme\n\ndeny contains {\"msg\": \"m\", \"rule\": \"r\"} if input.environment == \"production\"\n",
		"package acme\n\ntier := 3\napprovals contains \"security\"\nallow := true\n",
		"package acme\n\ntier := \"x\"\n",
		"package acme\n\nx := 1\n",
		"package runway.x\n",
		"package acme\n\ndeny contains msg if {\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		o := origin{name: "fuzz", sources: []source{{file: "fuzz.rego", text: text}}}
		ps, problems, err := buildPolicySet(context.Background(), []origin{o}, loadOptions{})
		if err != nil {
			return
		}
		if len(problems) > 0 {
			for _, p := range problems {
				if p.File == "" || p.Message == "" {
					t.Fatalf("problem without a file or message: %+v", p)
				}
			}
			return
		}
		e := &Engine{ps: ps, env: "production", now: fixedNow}
		if e.query, err = ps.prepare(context.Background()); err != nil {
			t.Fatalf("prepare: %v", err)
		}
		r := cleanReport()
		err = e.Decide(context.Background(), &runway.Workspace{Manifest: teamApp()}, r)
		if err != nil && runway.ErrorCode(err) != runway.EINVALID {
			t.Fatalf("Decide: %v", err)
		}
		if err != nil && !bytes.Contains([]byte(err.Error()), []byte("fuzz.rego")) {
			t.Fatalf("an evaluation error does not name the file: %v", err)
		}
	})
}

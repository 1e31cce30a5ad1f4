package sast

import (
	"strings"
	"testing"
)

// TestRulesLoad: the embedded rules parse, every query compiles for every
// language it names, and every rule is listed with plain words.
func TestRulesLoad(t *testing.T) {
	f, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		g, err := grammarFor(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if g.query.PatternCount() == 0 {
			t.Errorf("%s: no patterns", lang)
		}
	}
	rules := Rules()
	if len(rules) < len(f.Rules)+20 {
		t.Errorf("Rules() lists %d rules, want the %d built-in ones and the Go rules", len(rules), len(f.Rules))
	}
	for _, r := range rules {
		if r.ID == "" || r.Title == "" || r.Fix == "" || len(r.Languages) == 0 || r.Severity.Rank() > 4 {
			t.Errorf("incomplete rule %+v", r)
		}
		if strings.HasSuffix(r.Title, ".") {
			t.Errorf("%s: a title is not a sentence: %q", r.ID, r.Title)
		}
		if !strings.HasSuffix(r.Fix, ".") {
			t.Errorf("%s: a fix is a sentence ending with a full stop: %q", r.ID, r.Fix)
		}
	}
}

// TestRulesFileMistakes: a broken rules file is refused with the rule and
// the reason, never half loaded.
func TestRulesFileMistakes(t *testing.T) {
	const sources = `
sources:
  javascript: {roots: [req]}
  python: {roots: [request]}
`
	rule := func(body string) string {
		return sources + "rules:\n  - id: js/x\n    languages: [js]\n    cwe: 1\n    severity: high\n    title: T\n    fix: F.\n" + body
	}
	tests := []struct{ name, yaml, want string }{
		{"unknown key", sources + "rules:\n  - id: x\n    colour: red\n", "field colour not found"},
		{"no patterns", rule(""), "rule js/x: no patterns"},
		{"bad require", rule("    patterns:\n      - {query: '(identifier) @sink', require: maybe, message: m}\n"), "require must be one of"},
		{"no sink", rule("    patterns:\n      - {query: '(identifier) @x', require: match, message: m}\n"), "captures no @sink"},
		{"no arg", rule("    patterns:\n      - {query: '(identifier) @sink', require: tainted, message: m}\n"), "needs an @arg capture"},
		{"no message", rule("    patterns:\n      - {query: '(identifier) @sink', require: match}\n"), "message is required"},
		{"secret quotes code", sources + "rules:\n  - {id: js/s, languages: [js], cwe: 1, severity: high, title: T, fix: F., secret: true, patterns: [{query: '(identifier) @sink @arg', require: match, message: '{arg}'}]}\n", "must not quote code"},
		{"unknown language", rule("    patterns:\n      - {query: '(identifier) @sink', require: match, message: m, languages: [cobol]}\n"), `unknown language "cobol"`},
		{"bad severity", sources + "rules:\n  - {id: x, languages: [js], cwe: 1, severity: urgent, title: T, fix: F., patterns: []}\n", `unknown severity "urgent"`},
		{"duplicate", rule("    patterns:\n      - {query: '(identifier) @sink', require: match, message: m}\n") + "  - {id: js/x}\n", "defined twice"},
		{"no python sources", "sources:\n  javascript: {}\nrules: []\n", "no sources for python"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadRules([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestBadQueryNamesItsRule: a query that does not compile names its rule.
func TestBadQueryNamesItsRule(t *testing.T) {
	f, err := loadRules([]byte(`
sources:
  javascript: {roots: [req]}
  python: {roots: [request]}
rules:
  - {id: js/ok, languages: [js], cwe: 1, severity: high, title: T, fix: F., patterns: [{query: '(identifier) @sink', require: match, message: m}]}
  - {id: js/broken, languages: [js], cwe: 1, severity: high, title: T, fix: F., patterns: [{query: '(no_such_node) @sink', require: match, message: m}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newGrammar(langJavaScript, f); err == nil || !strings.Contains(err.Error(), "rule js/broken (javascript)") {
		t.Errorf("got %v, want the error to name js/broken", err)
	}
}

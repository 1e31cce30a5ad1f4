package opa

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/runwayhq/runway"
)

// Problem is one thing wrong with a policy: where it is, in which rule, and
// what is wrong, in OPA's words with a hint where Runway has one.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	// Rule is "<package>.<rule>" when it is known.
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as "file:line:column: rule R: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Rule != "" {
		fmt.Fprintf(&b, "rule %s: ", p.Rule)
	}
	b.WriteString(p.Message)
	return b.String()
}

// problemsError is the EINVALID error for policies that cannot be used.
func problemsError(what string, problems []Problem) error {
	var b strings.Builder
	b.WriteString(what)
	b.WriteString(":")
	for _, p := range problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	b.WriteString("\nFix them, then run again; `runway policy check` lists every problem with its position.")
	return &runway.Error{Code: runway.EINVALID, Message: b.String()}
}

// hints add Runway's advice to OPA messages that puzzle people.
var hints = []struct {
	match *regexp.Regexp
	hint  string
}{
	{regexp.MustCompile(`undefined function (http\.send|net\.lookup_ip_addr)`),
		"Runway evaluates policies offline, so they cannot call the network: put the data the policy needs in a data.json file beside it"},
	{regexp.MustCompile("`if` keyword is required|`contains` keyword is required|var cannot be used for rule name"),
		"this looks like Rego v0 mixed with v1: write the whole file in one version (v1: `deny contains msg if { ... }`; v0: `deny[msg] { ... }`)"},
	{regexp.MustCompile(`rego_recursion_error`),
		"a `tier` rule must not read data.runway.risk.tier or data.runway.lib.tier, since the tier is computed from it"},
}

func withHint(msg string) string {
	for _, h := range hints {
		if h.match.MatchString(msg) {
			return msg + " (" + h.hint + ")"
		}
	}
	return msg
}

// astProblems turns parse and compile errors into problems, naming the
// rule each one is in.
func astProblems(err error, rules *ruleIndex, texts map[string]string) []Problem {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		var one *ast.Error
		if !errors.As(err, &one) {
			return []Problem{{File: "(policies)", Message: err.Error()}}
		}
		errs = ast.Errors{one}
	}
	out := make([]Problem, 0, len(errs))
	for _, e := range errs {
		p := Problem{File: "(policies)", Message: withHint(e.Code + ": " + e.Message)}
		if e.Location != nil {
			p.File, p.Line, p.Column = e.Location.File, e.Location.Row, e.Location.Col
		}
		if rules != nil {
			p.Rule = rules.at(p.File, p.Line)
		}
		if p.Rule == "" {
			p.Rule = guessRule(texts[p.File], p.Line)
		}
		out = append(out, p)
	}
	sortProblems(out)
	return out
}

// evalProblem turns an evaluation error into a problem naming the rule.
func evalProblem(err error, rules *ruleIndex) Problem {
	var te *topdown.Error
	if errors.As(err, &te) {
		p := Problem{File: "(policies)", Message: withHint(te.Code + ": " + te.Message)}
		if te.Location != nil {
			p.File, p.Line, p.Column = te.Location.File, te.Location.Row, te.Location.Col
			p.Rule = rules.at(p.File, p.Line)
		}
		return p
	}
	return Problem{File: "(policies)", Message: err.Error()}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}

var (
	packageLine = regexp.MustCompile(`^package\s+([A-Za-z0-9_.\["\]-]+)`)
	ruleLine    = regexp.MustCompile(`^(?:default\s+)?([A-Za-z_][A-Za-z0-9_]*)`)
)

// guessRule names the rule around a line of a file that did not parse: the
// closest rule head at or above it, in its package.
func guessRule(text string, line int) string {
	lines := strings.Split(text, "\n")
	if line > len(lines) {
		line = len(lines)
	}
	pkg, rule := "", ""
	for i := 0; i < line; i++ {
		l := lines[i]
		if m := packageLine.FindStringSubmatch(l); m != nil {
			pkg = m[1]
			continue
		}
		if m := ruleLine.FindStringSubmatch(l); m != nil && m[1] != "import" && m[1] != "package" {
			rule = m[1]
		}
	}
	if pkg == "" || rule == "" {
		return ""
	}
	return pkg + "." + rule
}

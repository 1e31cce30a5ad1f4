package sast

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/runwayhq/runway"
	"gopkg.in/yaml.v3"
)

//go:embed rules.yaml
var rulesYAML []byte

// Rule describes one built-in rule: what it finds, why it matters and how to
// fix it, in words a non-developer can follow.
type Rule struct {
	// ID names the rule in findings and in runway:allow comments, such as
	// "js/code-injection" or "go/G402".
	ID string
	// Languages are the languages the rule reads: javascript, typescript,
	// tsx, python or go.
	Languages []string
	// CWE is the Common Weakness Enumeration number, 0 when none applies.
	CWE      int
	Severity runway.Severity
	Title    string
	Fix      string
}

// Requirements a pattern can put on its @arg capture.
const (
	reqMatch        = "match"
	reqTainted      = "tainted"
	reqBuilt        = "built"
	reqNonLiteral   = "nonliteral"
	reqHardCoded    = "hardcoded"
	reqTaintedBuilt = "tainted-built"
	reqProgram      = "program"
)

var requirements = []string{reqMatch, reqTainted, reqBuilt, reqNonLiteral, reqHardCoded, reqTaintedBuilt, reqProgram}

// ruleSpec is a rule as written in rules.yaml.
type ruleSpec struct {
	ID        string          `yaml:"id"`
	Languages []string        `yaml:"languages"`
	CWE       int             `yaml:"cwe"`
	Severity  runway.Severity `yaml:"severity"`
	Title     string          `yaml:"title"`
	Fix       string          `yaml:"fix"`
	// Secret marks rules whose code holds a secret: their findings never
	// quote the code, and their IDs hash it with string contents removed.
	Secret   bool          `yaml:"secret"`
	Patterns []patternSpec `yaml:"patterns"`
}

// patternSpec is one way of finding a rule's problem.
type patternSpec struct {
	Languages    []string `yaml:"languages"`
	Query        string   `yaml:"query"`
	Callees      []string `yaml:"callees"`
	Require      string   `yaml:"require"`
	Looks        string   `yaml:"looks"`
	ArgMatches   string   `yaml:"arg_matches"`
	ScopeMatches string   `yaml:"scope_matches"`
	Unless       string   `yaml:"unless"`
	Path         string   `yaml:"path"`
	Message      string   `yaml:"message"`
}

// sourceSpec says where request data comes from in one language, and which
// functions carry it along or make it harmless.
type sourceSpec struct {
	Roots         []string `yaml:"roots"`
	Fields        []string `yaml:"fields"`
	Methods       []string `yaml:"methods"`
	HandlerFields []string `yaml:"handler_fields"`
	Propagators   []string `yaml:"propagators"`
	Sanitizers    []string `yaml:"sanitizers"`
}

type rulesFile struct {
	Sources map[string]sourceSpec `yaml:"sources"`
	Rules   []ruleSpec            `yaml:"rules"`
}

// pattern is a patternSpec ready to use.
type pattern struct {
	rule *ruleSpec
	// order is the pattern's place in its rule: when several patterns of a
	// rule match the same code, the first one written tells the finding.
	order        int
	spec         patternSpec
	callees      []string
	argMatches   *regexp.Regexp
	scopeMatches *regexp.Regexp
	unless       *regexp.Regexp
	path         *regexp.Regexp
}

// languageAliases lets rules.yaml name the JavaScript family at once.
var languageAliases = map[string][]string{
	"js":  {langJavaScript, langTypeScript, langTSX},
	"jsx": {langJavaScript, langTSX},
}

// loadRules parses and checks rules.yaml. Queries are compiled elsewhere,
// per language.
func loadRules(data []byte) (*rulesFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f rulesFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	seen := map[string]bool{}
	for i := range f.Rules {
		r := &f.Rules[i]
		if seen[r.ID] {
			return nil, fmt.Errorf("rule %s: defined twice", r.ID)
		}
		seen[r.ID] = true
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	for _, lang := range []string{langJavaScript, langPython} {
		if _, ok := f.Sources[lang]; !ok {
			return nil, fmt.Errorf("rules: no sources for %s", lang)
		}
	}
	return &f, nil
}

func (r *ruleSpec) check() error {
	switch {
	case r.ID == "" || r.Title == "" || r.Fix == "":
		return fmt.Errorf("id, title and fix are required")
	case r.Severity.Rank() >= len(runway.Severities):
		return fmt.Errorf("unknown severity %q", r.Severity)
	case r.CWE <= 0:
		return fmt.Errorf("cwe is required")
	case len(r.Patterns) == 0:
		return fmt.Errorf("no patterns")
	}
	r.Languages = expandLanguages(r.Languages)
	for i := range r.Patterns {
		p := &r.Patterns[i]
		if len(p.Languages) == 0 {
			p.Languages = r.Languages
		}
		p.Languages = expandLanguages(p.Languages)
		if !slices.Contains(requirements, p.Require) {
			return fmt.Errorf("pattern %d: require must be one of %s", i+1, strings.Join(requirements, ", "))
		}
		if !strings.Contains(p.Query, "@sink") {
			return fmt.Errorf("pattern %d: the query captures no @sink", i+1)
		}
		if p.Require != reqMatch && !strings.Contains(p.Query, "@arg") {
			return fmt.Errorf("pattern %d: require %s needs an @arg capture", i+1, p.Require)
		}
		if p.Message == "" {
			return fmt.Errorf("pattern %d: message is required", i+1)
		}
		if r.Secret && (strings.Contains(p.Message, "{arg}") || strings.Contains(p.Message, "{sink}")) {
			return fmt.Errorf("pattern %d: a secret rule must not quote code in its message", i+1)
		}
		for _, l := range p.Languages {
			if !slices.Contains(languages, l) {
				return fmt.Errorf("pattern %d: unknown language %q", i+1, l)
			}
		}
	}
	return nil
}

func expandLanguages(in []string) []string {
	var out []string
	for _, l := range in {
		if more, ok := languageAliases[l]; ok {
			out = append(out, more...)
		} else {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// compilePattern turns a spec into a pattern, compiling its regexps.
func compilePattern(r *ruleSpec, order int, spec patternSpec) (*pattern, error) {
	p := &pattern{rule: r, order: order, spec: spec, callees: spec.Callees}
	for _, re := range []struct {
		src string
		dst **regexp.Regexp
	}{{spec.ArgMatches, &p.argMatches}, {spec.ScopeMatches, &p.scopeMatches}, {spec.Unless, &p.unless}, {spec.Path, &p.path}} {
		if re.src == "" {
			continue
		}
		c, err := regexp.Compile(re.src)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		*re.dst = c
	}
	return p, nil
}

// calleeMatches reports whether the resolved callee name is one the
// pattern looks for. A pattern without callees takes any.
func (p *pattern) calleeMatches(name string) bool {
	if len(p.callees) == 0 {
		return true
	}
	for _, c := range p.callees {
		if m, ok := strings.CutPrefix(c, "*."); ok {
			if strings.HasSuffix(name, "."+m) {
				return true
			}
		} else if c == name {
			return true
		}
	}
	return false
}

// builtin holds the parsed rules file; rules.yaml is part of the binary,
// so a failure here is a bug caught by the tests.
var builtin = sync.OnceValues(func() (*rulesFile, error) { return loadRules(rulesYAML) })

// Rules lists the built-in rules for JavaScript, TypeScript and Python,
// then the Go rules mapped from gosec, sorted by ID.
func Rules() []Rule {
	f, err := builtin()
	if err != nil {
		panic(err) // rules.yaml is embedded; TestRulesLoad keeps it valid
	}
	var out []Rule
	for _, r := range f.Rules {
		out = append(out, Rule{ID: r.ID, Languages: r.Languages, CWE: r.CWE, Severity: r.Severity, Title: r.Title, Fix: r.Fix})
	}
	out = append(out, goRules()...)
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

package sast

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	ts "github.com/tree-sitter/go-tree-sitter"
)

// hit is a rule that matched in a file, before it becomes a finding.
type hit struct {
	rule         *ruleSpec
	line, column int
	// snippet is the matched code with its whitespace collapsed; for secret
	// rules, with the contents of every string removed.
	snippet string
	message string
}

// fileAnalysis is the state of analysing one parsed file.
type fileAnalysis struct {
	g       *grammar
	family  string
	path    string
	src     []byte
	root    *ts.Node
	aliases aliases
	sources *sourceSpec
	// envs caches environments: the sinks of one function share the
	// environment of its enclosing scope, and several patterns often
	// check the same sink.
	envs map[envKey]env
	// callees caches resolved callee names by position: several patterns
	// match each call.
	callees map[[2]uint]string
	// comments are the byte ranges of the file's comments; scopes caches
	// the code of scopes without them.
	comments [][2]uint
	scopes   map[[2]uint]string
}

// worker owns the tree-sitter objects one goroutine uses: a parser and a
// query cursor are not safe to share. Close frees them.
type worker struct {
	parser *ts.Parser
	cursor *ts.QueryCursor
}

func newWorker() *worker { return &worker{parser: ts.NewParser(), cursor: ts.NewQueryCursor()} }

// Close frees the parser and the cursor.
func (w *worker) Close() {
	w.cursor.Close()
	w.parser.Close()
}

// analyze parses src, written in language lang, and returns what the
// rules found in it. path is the file's path relative to the app, with
// forward slashes.
func (w *worker) analyze(lang, path string, src []byte) ([]hit, error) {
	g, err := grammarFor(lang)
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", path, err)
	}
	rules, err := builtin()
	if err != nil {
		return nil, err
	}
	if err := w.parser.SetLanguage(g.lang); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", path, err)
	}
	tree := w.parser.Parse(src, nil)
	if tree == nil {
		return nil, fmt.Errorf("analyze %s: the parser gave up", path)
	}
	defer tree.Close()
	fam := family(lang)
	srcs := rules.Sources[fam]
	a := &fileAnalysis{g: g, family: fam, path: path, src: src, root: tree.RootNode(), aliases: aliases{}, sources: &srcs, envs: map[envKey]env{}, callees: map[[2]uint]string{}, scopes: map[[2]uint]string{}}
	return a.run(w.cursor), nil
}

// run walks the tree once with the combined query. It copies the matches
// out, reads the imports and comments first, then checks each candidate
// against the rule patterns that share its text.
func (a *fileAnalysis) run(cur *ts.QueryCursor) []hit {
	var imports, candidates []match
	matches := cur.Matches(a.g.query, a.root, a.src)
	for m := matches.Next(); m != nil; m = matches.Next() {
		mt := match{pattern: m.PatternIndex, caps: slices.Clone(m.Captures)}
		switch {
		case m.PatternIndex >= a.g.prelude:
			candidates = append(candidates, mt)
		case captured(mt.caps, a.g.comment) != nil:
			n := captured(mt.caps, a.g.comment)
			a.comments = append(a.comments, [2]uint{n.StartByte(), n.EndByte()})
		default:
			imports = append(imports, mt)
		}
	}
	a.bindImports(imports)
	return a.check(candidates)
}

// check checks every candidate; when several patterns of a rule report the
// same code, the first pattern written wins.
func (a *fileAnalysis) check(candidates []match) []hit {
	type key struct {
		rule       string
		start, end uint
	}
	best := map[key]int{}
	var hits []hit
	var orders []int
	for _, m := range candidates {
		sink := captured(m.caps, a.g.sink)
		if sink == nil {
			continue
		}
		c := candidate{caps: m.caps, sink: *sink, arg: captured(m.caps, a.g.arg), callee: captured(m.caps, a.g.callee)}
		for _, p := range a.g.groups[m.pattern] {
			k := key{p.rule.ID, c.sink.StartByte(), c.sink.EndByte()}
			i, seen := best[k]
			if seen && orders[i] <= p.order {
				continue
			}
			h, ok := a.checkPattern(p, &c)
			switch {
			case !ok:
			case seen:
				hits[i], orders[i] = h, p.order
			default:
				best[k] = len(hits)
				hits = append(hits, h)
				orders = append(orders, p.order)
			}
		}
	}
	return hits
}

// candidate is one query match being checked.
type candidate struct {
	caps        []ts.QueryCapture
	sink        ts.Node
	arg, callee *ts.Node
	calleeName  *string
}

// checkPattern applies a pattern's filters and requirement to a match,
// cheapest first, and returns the hit when they all hold.
func (a *fileAnalysis) checkPattern(p *pattern, c *candidate) (hit, bool) {
	if p.path != nil && !p.path.MatchString(a.path) {
		return hit{}, false
	}
	if len(p.callees) > 0 && (c.callee == nil || !p.calleeMatches(a.resolvedCallee(c))) {
		return hit{}, false
	}
	if p.unless != nil && p.unless.MatchString(a.text(c.sink)) {
		return hit{}, false
	}
	if p.argMatches != nil && (c.arg == nil || !p.argMatches.MatchString(a.text(*c.arg))) {
		return hit{}, false
	}
	if p.scopeMatches != nil && !p.scopeMatches.MatchString(a.scopeText(c.sink)) {
		return hit{}, false
	}
	var v value
	if p.spec.Require != reqMatch {
		v = a.evaluator(c.sink).eval(c.arg)
		if !satisfies(p.spec.Require, v) || !looksLike(p.spec.Looks, v.static) {
			return hit{}, false
		}
	}
	pos := c.sink.StartPosition()
	return hit{
		rule:    p.rule,
		line:    int(pos.Row) + 1,
		column:  int(pos.Column) + 1,
		snippet: a.snippet(c.sink, p.rule.Secret),
		message: a.message(p, c, v),
	}, true
}

func (a *fileAnalysis) resolvedCallee(c *candidate) string {
	if c.calleeName == nil {
		key := [2]uint{c.callee.StartByte(), c.callee.EndByte()}
		name, ok := a.callees[key]
		if !ok {
			name = a.calleeName(*c.callee)
			a.callees[key] = name
		}
		c.calleeName = &name
	}
	return *c.calleeName
}

// satisfies reports whether v meets a pattern's requirement.
func satisfies(req string, v value) bool {
	switch req {
	case reqTainted:
		return v.tainted
	case reqBuilt:
		return v.tainted || v.built
	case reqNonLiteral:
		return !v.fixed()
	case reqHardCoded:
		return v.hard
	case reqTaintedBuilt:
		return v.tainted && v.built
	case reqProgram:
		if v.head != nil {
			return v.head.tainted
		}
		return v.tainted
	}
	return true
}

var looks = map[string]*regexp.Regexp{
	"sql":  regexp.MustCompile(`(?is)\b(select\b.*\bfrom|insert\s+into|update\b.*\bset|delete\s+from|create\s+table|drop\s+table|alter\s+table)\b`),
	"html": regexp.MustCompile(`<[a-zA-Z!/]`),
}

func looksLike(kind, static string) bool {
	if kind == "" {
		return true
	}
	re, ok := looks[kind]
	return ok && re.MatchString(static)
}

// scopeText is the code of the function around n, with its decorators, or
// the whole file at the top level.
func (a *fileAnalysis) scopeText(n ts.Node) string {
	s := a.scopeOf(n)
	if p := s.Parent(); p != nil && p.Kind() == "decorated_definition" {
		s = *p
	}
	return a.withoutComments(s)
}

// withoutComments returns n's code with its comments blanked out, so that
// a comment mentioning a password does not make code about one.
func (a *fileAnalysis) withoutComments(n ts.Node) string {
	start, end := n.StartByte(), n.EndByte()
	key := [2]uint{start, end}
	if s, ok := a.scopes[key]; ok {
		return s
	}
	code := []byte(a.text(n))
	for _, c := range a.comments {
		for i := max(c[0], start); i < min(c[1], end) && i-start < uint(len(code)); i++ {
			code[i-start] = ' '
		}
	}
	a.scopes[key] = string(code)
	return a.scopes[key]
}

// message fills the pattern's message template.
func (a *fileAnalysis) message(p *pattern, c *candidate, v value) string {
	source := v.source
	if !v.tainted {
		source = v.dyn
	}
	if source == "" && c.arg != nil && !p.rule.Secret {
		source = a.short(*c.arg)
	}
	if source == "" {
		source = "a value that changes"
	}
	repl := []string{"{source}", source}
	if c.callee != nil {
		repl = append(repl, "{callee}", a.short(*c.callee))
	}
	if !p.rule.Secret {
		repl = append(repl, "{sink}", a.short(c.sink))
		if c.arg != nil {
			repl = append(repl, "{arg}", a.short(*c.arg))
		}
	}
	for i, name := range a.g.names {
		if strings.Contains(p.spec.Message, "{@"+name+"}") {
			if n := captured(c.caps, uint(i)); n != nil {
				repl = append(repl, "{@"+name+"}", a.short(*n))
			}
		}
	}
	return strings.NewReplacer(repl...).Replace(p.spec.Message)
}

// text returns the source of n.
func (a *fileAnalysis) text(n ts.Node) string {
	start, end := n.StartByte(), n.EndByte()
	if end > uint(len(a.src)) || start > end {
		return ""
	}
	return string(a.src[start:end])
}

// maxShort bounds code quoted in messages.
const maxShort = 60

// short returns n's code on one line, cut to maxShort characters.
func (a *fileAnalysis) short(n ts.Node) string {
	s := strings.Join(strings.Fields(a.text(n)), " ")
	if utf8.RuneCountInString(s) > maxShort {
		r := []rune(s)
		s = string(r[:maxShort-1]) + "…"
	}
	return s
}

// snippet is n's code normalised for a stable finding ID.
func (a *fileAnalysis) snippet(n ts.Node, secret bool) string {
	s := a.text(n)
	if secret {
		s = redactStrings(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

// simpleChain reports whether n is a plain access path (a.b['c'].d).
func (a *fileAnalysis) simpleChain(n ts.Node) bool {
	for depth := 0; depth < 16; depth++ {
		switch n.Kind() {
		case "identifier":
			return true
		case "member_expression", "attribute":
			n = *n.NamedChild(0)
		case "subscript_expression", "subscript":
			idx := n.NamedChild(1)
			if idx == nil || (idx.Kind() != "string" && idx.Kind() != "number" && idx.Kind() != "integer") {
				return false
			}
			n = *n.NamedChild(0)
		default:
			return false
		}
	}
	return false
}

// stringContent returns a Python string's text without prefix and quotes.
func (a *fileAnalysis) stringContent(n ts.Node) string {
	var b strings.Builder
	for _, c := range namedChildren(n) {
		if c.Kind() == "string_content" || c.Kind() == "escape_sequence" {
			b.WriteString(a.text(c))
		}
	}
	return b.String()
}

// redactStrings removes what is between quotes, so a secret never reaches
// an ID's input: 'abc' becomes ”.
func redactStrings(s string) string {
	var b strings.Builder
	quote := rune(0)
	escaped := false
	for _, r := range s {
		switch {
		case quote == 0:
			b.WriteRune(r)
			if r == '"' || r == '\'' || r == '`' {
				quote = r
			}
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == quote:
			b.WriteRune(r)
			quote = 0
		}
	}
	return b.String()
}

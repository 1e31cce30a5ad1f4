package sast

import (
	"maps"
	"slices"
	"strings"

	ts "github.com/tree-sitter/go-tree-sitter"
)

// env maps a variable to what was last assigned to it.
type env map[string]value

// functionKinds are the nodes that open a new scope.
var functionKinds = map[string]bool{
	"function_declaration": true, "function_expression": true, "function": true,
	"arrow_function": true, "method_definition": true, "generator_function_declaration": true,
	"generator_function": true, "function_definition": true, "lambda": true,
}

// maxScopeDepth bounds how many enclosing functions an environment
// inherits from; deeper nesting starts afresh.
const maxScopeDepth = 16

// scopeOf returns the innermost function around n, or the file's root.
func (a *fileAnalysis) scopeOf(n ts.Node) ts.Node {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if functionKinds[p.Kind()] {
			return *p
		}
	}
	return *a.root
}

// envAt returns the variables of scope as they stand just before pos: a
// function starts from its enclosing scope's variables where it is
// defined (closures see them), then its parameters, then every assignment
// before pos in source order. Branches are not told apart: the last
// assignment in the text wins.
func (a *fileAnalysis) envAt(scope ts.Node, pos uint, depth int) env {
	key := envKey{scope.StartByte(), scope.EndByte(), pos}
	if e, ok := a.envs[key]; ok {
		return e
	}
	e := a.computeEnv(scope, pos, depth)
	a.envs[key] = e
	return e
}

// envKey names a scope and a position in it. Callers must not change an
// environment they get: it is shared through the cache.
type envKey struct{ start, end, pos uint }

func (a *fileAnalysis) computeEnv(scope ts.Node, pos uint, depth int) env {
	if !functionKinds[scope.Kind()] {
		e := env{}
		a.walkEnv(scope, pos, e)
		return e
	}
	e := env{}
	if depth < maxScopeDepth {
		e = maps.Clone(a.envAt(a.scopeOf(scope), scope.StartByte(), depth+1))
	}
	a.bindParams(scope, e)
	if body := scope.ChildByFieldName("body"); body != nil {
		if functionKinds[scope.Kind()] && !isBlock(body.Kind()) {
			return e // an arrow function's expression body assigns nothing
		}
		a.walkEnv(*body, pos, e)
	}
	return e
}

func isBlock(kind string) bool { return kind == "statement_block" || kind == "block" }

// walkEnv applies the assignments under n that end before pos. It returns
// false once it reaches pos.
func (a *fileAnalysis) walkEnv(n ts.Node, pos uint, e env) bool {
	for _, c := range namedChildren(n) {
		if c.StartByte() >= pos {
			return false
		}
		kind := c.Kind()
		if functionKinds[kind] || kind == "decorated_definition" || strings.HasPrefix(kind, "class") {
			continue
		}
		a.assign(c, pos, e)
		if container(kind) && !a.walkEnv(c, pos, e) {
			return false
		}
	}
	return true
}

// container reports the statements and blocks that may hold assignments.
func container(kind string) bool {
	switch kind {
	case "program", "module", "block", "statement_block", "switch_body", "switch_case",
		"switch_default", "else_clause", "elif_clause", "except_clause", "finally_clause", "catch_clause",
		"lexical_declaration", "variable_declaration":
		return true
	}
	return strings.HasSuffix(kind, "_statement") && kind != "expression_statement" && kind != "return_statement"
}

// assign applies one binding statement, if it is one and ends before pos.
func (a *fileAnalysis) assign(n ts.Node, pos uint, e env) {
	ev := &evaluator{a: a, env: e}
	switch n.Kind() {
	case "expression_statement":
		if c := n.NamedChild(0); c != nil && c.EndByte() <= pos {
			a.assignExpr(*c, ev, e)
		}
	case "variable_declarator":
		if n.EndByte() <= pos {
			if v := n.ChildByFieldName("value"); v != nil {
				a.bind(n.ChildByFieldName("name"), ev.eval(v), e)
			}
		}
	case "for_in_statement", "for_statement":
		left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
		if left != nil && right != nil && right.EndByte() <= pos {
			a.bind(left, ev.eval(right), e)
		}
	}
}

// assignExpr applies x = v, x += v and Python's a, b = v.
func (a *fileAnalysis) assignExpr(n ts.Node, ev *evaluator, e env) {
	left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
	if left == nil || right == nil {
		return
	}
	switch n.Kind() {
	case "assignment_expression", "assignment":
		if right.Kind() == "expression_list" && left.NamedChildCount() == right.NamedChildCount() {
			for i := uint(0); i < left.NamedChildCount(); i++ {
				a.bind(left.NamedChild(i), ev.eval(right.NamedChild(i)), e)
			}
			return
		}
		a.bind(left, ev.eval(right), e)
	case "augmented_assignment_expression", "augmented_assignment":
		if left.Kind() == "identifier" {
			name := a.text(*left)
			e[name] = concat(e[name], ev.eval(right))
		}
	}
}

// bind gives the names in a binding pattern the parts of v.
func (a *fileAnalysis) bind(p *ts.Node, v value, e env) {
	if p == nil {
		return
	}
	switch p.Kind() {
	case "identifier", "shorthand_property_identifier_pattern":
		e[a.text(*p)] = v
	case "object_pattern":
		for _, c := range namedChildren(*p) {
			a.bindProperty(c, v, e)
		}
	case "array_pattern", "pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "rest_pattern":
		for _, c := range namedChildren(*p) {
			a.bind(&c, v, e)
		}
	case "assignment_pattern":
		a.bind(p.ChildByFieldName("left"), v, e)
	case "lexical_declaration", "variable_declaration": // for (const x of ...)
		for _, c := range namedChildren(*p) {
			a.bind(c.ChildByFieldName("name"), v, e)
		}
	}
}

// bindProperty binds one part of an object pattern: { a }, { a: b },
// { a = 1 } and { ...rest }.
func (a *fileAnalysis) bindProperty(c ts.Node, v value, e env) {
	field := func(key *ts.Node) value {
		if key == nil {
			return unknown("")
		}
		return a.fieldOf(v, unquote(a.text(*key)))
	}
	switch c.Kind() {
	case "shorthand_property_identifier_pattern":
		e[a.text(c)] = field(&c)
	case "pair_pattern":
		a.bind(c.ChildByFieldName("value"), field(c.ChildByFieldName("key")), e)
	case "object_assignment_pattern":
		left := c.ChildByFieldName("left")
		a.bind(left, field(left), e)
	case "rest_pattern":
		a.bind(c.NamedChild(0), v, e)
	}
}

// fieldOf is the value of v.key when destructured.
func (a *fileAnalysis) fieldOf(v value, key string) value {
	path := key
	if v.source != "" {
		path = v.source + "." + key
	}
	switch {
	case v.root && slices.Contains(a.sources.Fields, key), v.root && v.source == "" && slices.Contains(a.sources.HandlerFields, key):
		return value{tainted: true, source: path, dyn: path}
	case v.tainted:
		return value{tainted: true, source: path, dyn: path}
	}
	return unknown(key)
}

// bindParams gives a function's parameters their values: unknown, except
// the request object, and the request fields a callback destructures
// (route('GET', '/x', ({ query }) => ...)).
func (a *fileAnalysis) bindParams(fn ts.Node, e env) {
	callback := false
	if p := fn.Parent(); p != nil && p.Kind() == "arguments" {
		callback = true
	}
	var params []ts.Node
	if ps := fn.ChildByFieldName("parameters"); ps != nil {
		params = namedChildren(*ps)
	} else if p := fn.ChildByFieldName("parameter"); p != nil {
		params = []ts.Node{*p}
	}
	for _, p := range params {
		if inner := p.ChildByFieldName("pattern"); inner != nil { // TypeScript
			p = *inner
		}
		if inner := p.ChildByFieldName("name"); inner != nil && p.Kind() != "identifier" { // Python defaults
			p = *inner
		}
		switch p.Kind() {
		case "identifier":
			name := a.text(p)
			if slices.Contains(a.sources.Roots, name) {
				e[name] = value{root: true, source: name}
			} else {
				e[name] = unknown(name)
			}
		case "object_pattern":
			if callback && len(a.sources.HandlerFields) > 0 {
				a.bind(&p, value{root: true}, e)
			} else {
				a.bind(&p, unknown(""), e)
			}
		case "typed_parameter", "typed_default_parameter":
			if id := p.NamedChild(0); id != nil {
				e[a.text(*id)] = unknown(a.text(*id))
			}
		}
	}
}

package sast

import (
	ts "github.com/tree-sitter/go-tree-sitter"
	"slices"
)

// evalJS evaluates a JavaScript or TypeScript expression.
func (e *evaluator) evalJS(n ts.Node) value {
	a := e.a
	switch n.Kind() {
	case "string":
		return literal(unquote(a.text(n)))
	case "number", "true", "false", "null", "undefined", "regex",
		"arrow_function", "function_expression", "function":
		return value{konst: true}
	case "template_string":
		return e.template(n, "template_substitution")
	case "identifier":
		if a.text(n) == "undefined" {
			return value{konst: true}
		}
		return e.identifier(n)
	case "member_expression":
		obj, prop := n.ChildByFieldName("object"), n.ChildByFieldName("property")
		if obj == nil || prop == nil {
			return unknown(a.short(n))
		}
		return e.member(n, e.eval(obj), a.text(*prop))
	case "subscript_expression":
		obj, idx := n.ChildByFieldName("object"), n.ChildByFieldName("index")
		if obj == nil || idx == nil {
			return unknown(a.short(n))
		}
		return e.member(n, e.eval(obj), unquote(a.text(*idx)))
	case "call_expression", "new_expression":
		return e.callJS(n)
	case "binary_expression":
		return e.binary(n, "left", "right", "+", "||", "??")
	case "ternary_expression":
		return merge(e.eval(n.ChildByFieldName("consequence")), e.eval(n.ChildByFieldName("alternative")))
	case "assignment_expression", "augmented_assignment_expression":
		return e.eval(n.ChildByFieldName("right"))
	case "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
		"non_null_expression", "type_assertion", "spread_element", "sequence_expression":
		if c := n.NamedChild(n.NamedChildCount() - 1); c != nil && n.Kind() == "sequence_expression" {
			return e.eval(c)
		}
		return e.eval(n.NamedChild(0))
	case "array":
		return e.list(n)
	case "object":
		return e.children(n)
	case "pair":
		return e.eval(n.ChildByFieldName("value"))
	}
	return unknown(a.short(n))
}

// callJS evaluates f(x), obj.m(x) and new C(x).
func (e *evaluator) callJS(n ts.Node) value {
	fn := n.ChildByFieldName("function")
	if fn == nil {
		fn = n.ChildByFieldName("constructor")
	}
	args := n.ChildByFieldName("arguments")
	if fn == nil {
		return unknown(e.a.short(n))
	}
	var list []ts.Node
	if args != nil && args.Kind() == "arguments" {
		list = namedChildren(*args)
	}
	var recv *ts.Node
	method := ""
	if fn.Kind() == "member_expression" {
		recv = fn.ChildByFieldName("object")
		if p := fn.ChildByFieldName("property"); p != nil {
			method = e.a.text(*p)
		}
	}
	return e.call(n, *fn, recv, method, list)
}

// evalPython evaluates a Python expression.
func (e *evaluator) evalPython(n ts.Node) value {
	a := e.a
	switch n.Kind() {
	case "string":
		if hasChild(n, "interpolation") {
			return e.template(n, "interpolation")
		}
		return literal(a.stringContent(n))
	case "concatenated_string":
		return e.concatChildren(n)
	case "integer", "float", "true", "false", "none", "lambda":
		return value{konst: true}
	case "identifier":
		return e.identifier(n)
	case "attribute":
		obj, attr := n.ChildByFieldName("object"), n.ChildByFieldName("attribute")
		if obj == nil || attr == nil {
			return unknown(a.short(n))
		}
		return e.member(n, e.eval(obj), a.text(*attr))
	case "subscript":
		obj, idx := n.ChildByFieldName("value"), n.ChildByFieldName("subscript")
		if obj == nil || idx == nil {
			return unknown(a.short(n))
		}
		return e.member(n, e.eval(obj), unquote(a.text(*idx)))
	case "call":
		return e.callPython(n)
	case "binary_operator":
		return e.binary(n, "left", "right", "+", "%")
	case "boolean_operator":
		return e.binary(n, "left", "right", "or")
	case "conditional_expression":
		return e.children(n)
	case "parenthesized_expression", "await", "keyword_argument", "list_splat", "dictionary_splat":
		if v := n.ChildByFieldName("value"); v != nil {
			return e.eval(v)
		}
		return e.eval(n.NamedChild(n.NamedChildCount() - 1))
	case "list", "tuple":
		return e.list(n)
	case "set", "dictionary", "expression_list", "pair":
		return e.children(n)
	}
	return unknown(a.short(n))
}

// callPython evaluates f(x) and obj.m(x).
func (e *evaluator) callPython(n ts.Node) value {
	fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
	if fn == nil {
		return unknown(e.a.short(n))
	}
	var list []ts.Node
	if args != nil && args.Kind() == "argument_list" {
		list = namedChildren(*args)
	}
	var recv *ts.Node
	method := ""
	if fn.Kind() == "attribute" {
		recv = fn.ChildByFieldName("object")
		if p := fn.ChildByFieldName("attribute"); p != nil {
			method = e.a.text(*p)
		}
	}
	return e.call(n, *fn, recv, method, list)
}

// binary evaluates an operator: concatenation (+, and % formatting),
// fallbacks (||, ??, or), and anything else as a fresh unknown value.
func (e *evaluator) binary(n ts.Node, left, right string, ops ...string) value {
	op := ""
	if o := n.ChildByFieldName("operator"); o != nil {
		op = e.a.text(*o)
	}
	if !slices.Contains(ops, op) {
		return unknown(e.a.short(n))
	}
	l, r := e.eval(n.ChildByFieldName(left)), e.eval(n.ChildByFieldName(right))
	switch op {
	case "+", "%":
		if op == "%" && !l.konst {
			return unknown(e.a.short(n))
		}
		return concat(l, r)
	default: // a || b: either may be the value
		v := merge(l, r)
		v.hard = l.hard || r.hard
		return v
	}
}

// template evaluates a template string or f-string: its literal parts and
// its substitutions, in order.
func (e *evaluator) template(n ts.Node, sub string) value {
	var parts []value
	for _, c := range namedChildren(n) {
		switch c.Kind() {
		case "string_fragment", "string_content", "escape_sequence":
			parts = append(parts, literal(e.a.text(c)))
		case sub:
			inner := c.ChildByFieldName("expression")
			if inner == nil {
				inner = c.NamedChild(0)
			}
			parts = append(parts, e.eval(inner))
		}
	}
	if len(parts) == 0 {
		return literal("")
	}
	return concat(parts...)
}

// concatChildren evaluates adjacent Python strings ("a" f"{b}").
func (e *evaluator) concatChildren(n ts.Node) value {
	var parts []value
	for _, c := range namedChildren(n) {
		parts = append(parts, e.eval(&c))
	}
	return concat(parts...)
}

// children merges the values of every named child.
func (e *evaluator) children(n ts.Node) value {
	var vs []value
	for _, c := range namedChildren(n) {
		if c.Kind() == "comment" {
			continue
		}
		vs = append(vs, e.eval(&c))
	}
	if len(vs) == 0 {
		return value{konst: true}
	}
	v := merge(vs...)
	v.hard = false
	return v
}

// list evaluates a list literal, keeping its first item apart.
func (e *evaluator) list(n ts.Node) value {
	v := e.children(n)
	if first := n.NamedChild(0); first != nil && first.Kind() != "comment" {
		head := e.eval(first)
		v.head = &head
	}
	return v
}

// namedChildren lists n's named children.
func namedChildren(n ts.Node) []ts.Node {
	count := n.NamedChildCount()
	out := make([]ts.Node, 0, count)
	for i := uint(0); i < count; i++ {
		if c := n.NamedChild(i); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

func hasChild(n ts.Node, kind string) bool {
	for i := uint(0); i < n.NamedChildCount(); i++ {
		if c := n.NamedChild(i); c != nil && c.Kind() == kind {
			return true
		}
	}
	return false
}

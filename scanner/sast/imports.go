package sast

import (
	"strings"

	ts "github.com/tree-sitter/go-tree-sitter"
)

// importQueries find the statements that bind a local name to a module or
// to something inside one, per language family. They open each language's
// combined query, so their patterns are numbered from 0: bindImports relies
// on their order.
var importQueries = map[string]string{
	langJavaScript: `
(variable_declarator name: (_) @local
  value: (call_expression function: (identifier) @req arguments: (arguments . (string) @mod .))
  (#eq? @req "require"))
(variable_declarator name: (identifier) @local
  value: (member_expression
    object: (call_expression function: (identifier) @req arguments: (arguments . (string) @mod .))
    property: (property_identifier) @prop)
  (#eq? @req "require"))
(import_statement (import_clause) @clause source: (string) @mod)
(variable_declarator name: (identifier) @local
  value: (call_expression function: (_) @fn arguments: (arguments . (_) @target .))
  (#match? @fn "^(util\\.)?promisify$"))
`,
	langPython: `
(import_statement) @clause
(import_from_statement) @clause
`,
}

// aliases maps a local name to what it stands for: `cp` to child_process,
// `run` to subprocess.run.
type aliases map[string]string

// bindImports reads the file's imports into a.aliases from the prelude
// matches of the file's query.
func (a *fileAnalysis) bindImports(matches []match) {
	idx := func(name string) uint { i, _ := a.g.query.CaptureIndexForName(name); return i }
	local, mod, prop, clause, target := idx("local"), idx("mod"), idx("prop"), idx("clause"), idx("target")
	type deferred struct {
		local  string
		target ts.Node
	}
	var promisified []deferred
	for _, m := range matches {
		get := func(i uint) ts.Node {
			if n := captured(m.caps, i); n != nil {
				return *n
			}
			return *a.root
		}
		if a.family == langPython {
			a.bindPython(get(clause))
			continue
		}
		switch m.pattern {
		case 0:
			a.bindRequire(get(local), moduleName(a.text(get(mod))))
		case 1:
			a.aliases[a.text(get(local))] = moduleName(a.text(get(mod))) + "." + a.text(get(prop))
		case 2:
			a.bindImportClause(get(clause), moduleName(a.text(get(mod))))
		case 3:
			promisified = append(promisified, deferred{a.text(get(local)), get(target)})
		}
	}
	for _, p := range promisified {
		a.aliases[p.local] = a.calleeName(p.target)
	}
}

// match is a query match copied out of the cursor, whose memory the next
// match reuses.
type match struct {
	pattern uint
	caps    []ts.QueryCapture
}

// captured returns the first node captured at index i, or nil.
func captured(caps []ts.QueryCapture, i uint) *ts.Node {
	for k := range caps {
		if uint(caps[k].Index) == i {
			return &caps[k].Node
		}
	}
	return nil
}

// moduleName strips quotes and the node: prefix from a module specifier.
func moduleName(quoted string) string {
	return strings.TrimPrefix(strings.Trim(quoted, "'\"`"), "node:")
}

// bindRequire binds `const x = require(m)` and `const { a, b: c } = require(m)`.
func (a *fileAnalysis) bindRequire(n ts.Node, mod string) {
	switch n.Kind() {
	case "identifier":
		a.aliases[a.text(n)] = mod
	case "object_pattern":
		for i := uint(0); i < n.NamedChildCount(); i++ {
			c := n.NamedChild(i)
			switch c.Kind() {
			case "shorthand_property_identifier_pattern":
				a.aliases[a.text(*c)] = mod + "." + a.text(*c)
			case "pair_pattern":
				k, v := c.ChildByFieldName("key"), c.ChildByFieldName("value")
				if k != nil && v != nil && v.Kind() == "identifier" {
					a.aliases[a.text(*v)] = mod + "." + strings.Trim(a.text(*k), "'\"")
				}
			}
		}
	}
}

// bindImportClause binds default, namespace and named ES imports.
func (a *fileAnalysis) bindImportClause(n ts.Node, mod string) {
	for i := uint(0); i < n.NamedChildCount(); i++ {
		c := n.NamedChild(i)
		switch c.Kind() {
		case "identifier": // import x from 'm'
			a.aliases[a.text(*c)] = mod
		case "namespace_import": // import * as x from 'm'
			if id := c.NamedChild(0); id != nil {
				a.aliases[a.text(*id)] = mod
			}
		case "named_imports": // import { a, b as c } from 'm'
			for j := uint(0); j < c.NamedChildCount(); j++ {
				s := c.NamedChild(j)
				name, alias := s.ChildByFieldName("name"), s.ChildByFieldName("alias")
				if name == nil {
					continue
				}
				local := name
				if alias != nil {
					local = alias
				}
				a.aliases[a.text(*local)] = mod + "." + a.text(*name)
			}
		}
	}
}

// bindPython binds `import a.b as c` and `from m import x as y`.
func (a *fileAnalysis) bindPython(n ts.Node) {
	mod := ""
	if m := n.ChildByFieldName("module_name"); m != nil {
		mod = a.text(*m)
	}
	cur := n.Walk()
	defer cur.Close()
	for _, c := range n.ChildrenByFieldName("name", cur) {
		switch {
		case c.Kind() == "aliased_import":
			name, alias := c.ChildByFieldName("name"), c.ChildByFieldName("alias")
			if name != nil && alias != nil {
				a.aliases[a.text(*alias)] = joinName(mod, a.text(*name))
			}
		case mod != "": // from m import x
			full := a.text(c)
			a.aliases[full[strings.LastIndex(full, ".")+1:]] = joinName(mod, full)
		}
	}
}

func joinName(mod, name string) string {
	if mod == "" {
		return name
	}
	return mod + "." + name
}

// calleeName returns what a called expression stands for, with the file's
// imports resolved: `cp.exec` is "child_process.exec" after
// `const cp = require('child_process')`. A call inside the chain shows as
// "()" ("crypto.createHash().update"); anything else gives "".
func (a *fileAnalysis) calleeName(n ts.Node) string {
	name := a.dotted(n, 0)
	if name == "" {
		return ""
	}
	head, rest, _ := strings.Cut(name, ".")
	if a.family == langJavaScript && (head == "window" || head == "globalThis") && rest != "" {
		head, rest, _ = strings.Cut(rest, ".")
	}
	if full, ok := a.aliases[head]; ok {
		head = full
	}
	if rest == "" {
		return head
	}
	return head + "." + rest
}

// dotted spells a member chain as a.b.c, following at most a few levels.
func (a *fileAnalysis) dotted(n ts.Node, depth int) string {
	if depth > 8 {
		return ""
	}
	switch n.Kind() {
	case "identifier", "this", "property_identifier", "private_property_identifier", "type_identifier":
		return a.text(n)
	case "member_expression", "attribute":
		obj := n.ChildByFieldName("object")
		prop := n.ChildByFieldName("property")
		if prop == nil {
			prop = n.ChildByFieldName("attribute")
		}
		if obj == nil || prop == nil {
			return ""
		}
		if mod, ok := a.requireOf(*obj); ok {
			return mod + "." + a.text(*prop)
		}
		left := a.dotted(*obj, depth+1)
		if left == "" {
			return ""
		}
		return left + "." + a.text(*prop)
	case "call_expression", "call":
		if fn := n.ChildByFieldName("function"); fn != nil {
			if left := a.dotted(*fn, depth+1); left != "" {
				return left + "()"
			}
		}
	case "parenthesized_expression", "non_null_expression", "await_expression":
		if c := n.NamedChild(0); c != nil {
			return a.dotted(*c, depth+1)
		}
	}
	return ""
}

// requireOf reports the module of a require('m') call.
func (a *fileAnalysis) requireOf(n ts.Node) (string, bool) {
	if n.Kind() != "call_expression" {
		return "", false
	}
	fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
	if fn == nil || args == nil || a.text(*fn) != "require" || args.NamedChildCount() != 1 {
		return "", false
	}
	s := args.NamedChild(0)
	if s.Kind() != "string" {
		return "", false
	}
	return moduleName(a.text(*s)), true
}

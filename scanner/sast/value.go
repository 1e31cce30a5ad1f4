package sast

import (
	"slices"
	"strings"

	ts "github.com/tree-sitter/go-tree-sitter"
)

// value is what the engine knows about an expression: whether it is fixed
// when the code is written, whether it carries request data, and whether it
// is text assembled while the app runs. It is deliberately coarse: a small
// intra-procedural taint step, not a full data-flow analysis.
type value struct {
	// konst is true for literals and what is built only from them.
	konst bool
	// static is the literal text the value contains, for "looks like SQL".
	static string
	// tainted is true when request data flows into the value; source names
	// where it came from ("req.query.id").
	tainted bool
	source  string
	// built is true for text assembled at run time from parts that are not
	// constants; dyn names the first such part.
	built bool
	dyn   string
	// hard is true for a literal string, or an expression with a literal
	// fallback (process.env.SECRET || 'dev').
	hard bool
	// safe is true when a sanitiser made the value harmless.
	safe bool
	// root is true for the request object itself (req, request).
	root bool
	// head is the first item of a list written in the code: the program
	// of a command given as a list of arguments.
	head *value
}

// maxStatic bounds the literal text kept per value.
const maxStatic = 2048

// fixed reports whether the value cannot carry anything an attacker chose.
func (v value) fixed() bool { return v.konst || v.safe }

// merge combines alternatives or parts: tainted if any part is, constant if
// all are.
func merge(vs ...value) value {
	out := value{konst: true}
	for _, v := range vs {
		out.konst = out.konst && v.konst
		out.hard = out.hard || v.hard
		out.built = out.built || v.built
		if v.tainted && !out.tainted {
			out.tainted, out.source = true, v.source
		}
		if out.dyn == "" {
			out.dyn = v.dyn
		}
	}
	return out
}

// concat combines the parts of assembled text (a + b, template strings,
// f-strings): built when any part is not fixed.
func concat(parts ...value) value {
	out := merge(parts...)
	out.hard, out.dyn = false, ""
	allFixed := true
	var b strings.Builder
	for _, p := range parts {
		if !p.fixed() {
			out.built = true
			allFixed = false
			if out.dyn == "" {
				out.dyn = p.dyn
			}
		}
		if b.Len()+len(p.static) <= maxStatic {
			b.WriteString(p.static)
		}
	}
	out.static = b.String()
	out.safe = allFixed && !out.konst
	if out.konst {
		out.hard = out.static != ""
	}
	return out
}

// literal is a string or other constant written in the code.
func literal(text string) value {
	if len(text) > maxStatic {
		text = text[:maxStatic]
	}
	return value{konst: true, static: text, hard: text != ""}
}

// unknown is a value the engine cannot see into: a parameter, a call.
func unknown(expr string) value { return value{dyn: expr} }

// evaluator evaluates expressions inside one scope (a function or the
// file), at one position: variables hold what was last assigned to them
// before that position.
type evaluator struct {
	a     *fileAnalysis
	scope ts.Node
	pos   uint
	env   env
	depth int
}

// maxEvalDepth bounds recursion on deeply nested expressions.
const maxEvalDepth = 64

func (a *fileAnalysis) evaluator(at ts.Node) *evaluator {
	return &evaluator{a: a, scope: a.scopeOf(at), pos: at.StartByte()}
}

// eval returns what is known about the expression n.
func (e *evaluator) eval(n *ts.Node) value {
	if n == nil {
		return value{}
	}
	if e.depth > maxEvalDepth {
		return unknown("")
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.a.family == langPython {
		return e.evalPython(*n)
	}
	return e.evalJS(*n)
}

// lookup returns a variable's value at the evaluator's position.
func (e *evaluator) lookup(name string) (value, bool) {
	if e.env == nil {
		e.env = e.a.envAt(e.scope, e.pos, 0)
	}
	v, ok := e.env[name]
	return v, ok
}

// identifier evaluates a name: a variable, or the request object.
func (e *evaluator) identifier(n ts.Node) value {
	name := e.a.text(n)
	if v, ok := e.lookup(name); ok {
		return v
	}
	if slices.Contains(e.a.sources.Roots, name) {
		return value{root: true, source: name}
	}
	return unknown(name)
}

// member evaluates obj.field and obj[field] given the object's value.
func (e *evaluator) member(n ts.Node, obj value, field string) value {
	switch {
	case obj.root && slices.Contains(e.a.sources.Fields, field):
		return value{tainted: true, source: e.a.short(n)}
	case obj.tainted:
		src := obj.source
		if e.a.simpleChain(n) {
			src = e.a.short(n)
		}
		return value{tainted: true, source: src, dyn: src}
	}
	return unknown(e.a.short(n))
}

// call evaluates a call given its callee node, the object it is a method
// of (nil for plain functions) and its argument nodes.
func (e *evaluator) call(n, fn ts.Node, recv *ts.Node, method string, args []ts.Node) value {
	src := e.a.sources
	name := e.a.calleeName(fn)
	if matchName(src.Sanitizers, name) {
		return value{safe: true}
	}
	argv := make([]value, len(args))
	for i := range args {
		argv[i] = e.eval(&args[i])
	}
	if recv != nil {
		obj := e.eval(recv)
		switch {
		case obj.root && slices.Contains(src.Methods, method):
			return value{tainted: true, source: e.a.short(n), dyn: e.a.short(n)}
		case obj.tainted:
			src := obj.source
			if src == e.a.short(*recv) && e.a.simpleChain(*recv) {
				src = e.a.short(n) // request.args.get("q") says more than request.args
			}
			return value{tainted: true, source: src, dyn: src}
		case obj.konst && (method == "format" || method == "concat" || method == "join"):
			return concat(append([]value{obj}, argv...)...)
		}
	}
	if matchName(src.Propagators, name) {
		v := merge(argv...)
		v.konst, v.hard = false, false
		return v
	}
	if hard := e.envFallback(name, argv); hard {
		return value{hard: true, dyn: e.a.short(n)}
	}
	return unknown(e.a.short(n))
}

// envFallback reports os.getenv("X", "literal") and friends: a secret with
// a hard-coded default.
func (e *evaluator) envFallback(name string, args []value) bool {
	switch name {
	case "os.getenv", "os.environ.get", "getenv", "environ.get":
		return len(args) >= 2 && args[1].konst && args[1].static != ""
	}
	return false
}

// matchName reports whether name is in list; "*.m" entries match any
// method called m.
func matchName(list []string, name string) bool {
	if name == "" {
		return false
	}
	for _, c := range list {
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

// unquote returns the text of a string literal without its quotes or
// Python prefixes.
func unquote(s string) string {
	if i := strings.IndexAny(s, "'\"`"); i > 0 && i <= 2 && strings.Trim(s[:i], "rRbBuUfF") == "" {
		s = s[i:]
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`, "`"} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return s[len(q) : len(s)-len(q)]
		}
	}
	return s
}

package connector

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common"
	"github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

// costLimit bounds the work of one evaluation (CEL's cost units, roughly
// one per operation), so that no expression can keep a run busy.
const costLimit = 1_000_000

// expr is one compiled CEL expression.
type expr struct {
	src string
	prg cel.Program
	t   *types.Type
}

// scope is where an expression is written: the variables it may use and
// their types.
type scope struct {
	env  *cel.Env
	p    *provider
	vars map[string]*types.Type
}

// newScope returns a scope with vars (names to types).
func newScope(p *provider, vars map[string]*types.Type) (*scope, error) {
	opts := []cel.EnvOption{
		cel.CustomTypeProvider(p),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
		ext.Math(),
		ext.Lists(ext.ListsMaxRangeSize(1000)),
	}
	for name, t := range vars {
		opts = append(opts, cel.Variable(name, t))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	return &scope{env: env, p: p, vars: vars}, nil
}

// with returns a scope with more variables.
func (s *scope) with(more map[string]*types.Type) (*scope, error) {
	vars := make(map[string]*types.Type, len(s.vars)+len(more))
	for k, v := range s.vars {
		vars[k] = v
	}
	opts := make([]cel.EnvOption, 0, len(more))
	for k, v := range more {
		vars[k] = v
		opts = append(opts, cel.Variable(k, v))
	}
	env, err := s.env.Extend(opts...)
	if err != nil {
		return nil, err
	}
	return &scope{env: env, p: s.p, vars: vars}, nil
}

// compile type-checks src and returns the expression, or what is wrong
// with it in plain words.
func (s *scope) compile(src string) (*expr, []string) {
	src = strings.TrimSpace(src)
	parsed, iss := s.env.Parse(src)
	if iss.Err() != nil {
		return nil, syntaxMessages(src, iss.Errors())
	}
	checked, iss := s.env.Check(parsed)
	if iss.Err() != nil {
		var out []string
		for _, e := range iss.Errors() {
			out = append(out, s.explain(parsed.NativeRep(), e))
		}
		return nil, out
	}
	if builds(checked.NativeRep()) {
		return nil, []string{"`" + src + "` builds a typed object; write a group of fields as a map instead, such as {\"name\": request.body.name}"}
	}
	prg, err := s.env.Program(checked, cel.CostLimit(costLimit), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, []string{fmt.Sprintf("`%s` cannot be prepared: %v", src, err)}
	}
	return &expr{src: src, prg: prg, t: checked.OutputType()}, nil
}

// eval evaluates e with the variables in act and returns a plain Go value.
func (e *expr) eval(ctx context.Context, act map[string]any) (any, error) {
	out, _, err := e.prg.ContextEval(ctx, act)
	if err != nil {
		return nil, fmt.Errorf("`%s` could not be worked out: %s", e.src, runtimeWords(err.Error()))
	}
	return native(out)
}

// builds reports whether the expression creates an object of a named type.
func builds(a *ast.AST) bool {
	found := false
	ast.PreOrderVisit(a.Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		found = found || e.Kind() == ast.StructKind
	}))
	return found
}

func isCall(a *ast.AST, id int64) bool {
	e := findExpr(a, id)
	return e != nil && e.Kind() == ast.CallKind
}

// findExpr returns the expression with the given id, or nil.
func findExpr(a *ast.AST, id int64) ast.Expr {
	var found ast.Expr
	ast.PreOrderVisit(a.Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.ID() == id {
			found = e
		}
	}))
	return found
}

func syntaxMessages(src string, errs []*common.Error) []string {
	var out []string
	for _, e := range errs {
		msg := strings.TrimPrefix(e.Message, "Syntax error: ")
		if i := strings.Index(msg, " expecting "); i > 0 {
			msg = msg[:i] // the list of what CEL expected helps nobody
		}
		msg = strings.ReplaceAll(msg, "mismatched input '<EOF>'", "it ends too early")
		out = append(out, fmt.Sprintf("`%s` is not a valid expression: %s (at character %d)", src, msg, e.Location.Column()+1))
	}
	return out
}

var quoted = regexp.MustCompile(`'([^']*)'`)

// explain turns a type-check error into plain words, with a suggestion
// where one can be made.
func (s *scope) explain(parsed *ast.AST, e *common.Error) string {
	msg := e.Message
	names := quoted.FindAllStringSubmatch(msg, -1)
	switch {
	case strings.HasPrefix(msg, "undefined field") && len(names) > 0:
		return s.unknownField(parsed, e.ExprID, names[0][1])
	case strings.HasPrefix(msg, "undeclared reference") && len(names) > 0 && isCall(parsed, e.ExprID):
		return fmt.Sprintf("`%s()` is not a function CEL knows", names[0][1])
	case strings.HasPrefix(msg, "undeclared reference") && len(names) > 0:
		vars := s.varNames()
		return fmt.Sprintf("`%s` is not known here%s (you can use %s)", names[0][1], didYouMean(names[0][1], vars), quoteList(vars))
	case strings.HasPrefix(msg, "found no matching overload") && len(names) > 1:
		return fmt.Sprintf("`%s` cannot be used on %s", operator(names[0][1]), argWords(names[1][1]))
	}
	return msg
}

func (s *scope) unknownField(parsed *ast.AST, id int64, name string) string {
	sel := findExpr(parsed, id)
	if sel == nil || sel.Kind() != ast.SelectKind {
		return fmt.Sprintf("`%s` is not a field", name)
	}
	operand := sel.AsSelect().Operand()
	path := exprText(operand)
	out := fmt.Sprintf("`%s.%s` is not a field", path, name)
	o := s.p.object(s.typeOf(operand))
	switch {
	case o == nil:
		return out
	case path == "steps" && closest(name, o.names()) == "":
		return out + fmt.Sprintf(": a step reads only the steps before it (here %s)", quoteList(o.names()))
	case closest(name, o.names()) != "":
		return out + didYouMean(name, o.names())
	case len(o.fields) == 0:
		return out + fmt.Sprintf("; `%s` has no fields", path)
	}
	return out + fmt.Sprintf("; the fields of `%s` are %s", path, quoteList(o.names()))
}

// typeOf works out the type of a variable or a chain of fields.
func (s *scope) typeOf(e ast.Expr) *types.Type {
	switch e.Kind() {
	case ast.IdentKind:
		return s.vars[e.AsIdent()]
	case ast.SelectKind:
		if o := s.p.object(s.typeOf(e.AsSelect().Operand())); o != nil {
			if f, ok := o.field(e.AsSelect().FieldName()); ok {
				return f.t
			}
		}
	}
	return nil
}

func (s *scope) varNames() []string {
	out := make([]string, 0, len(s.vars))
	for k := range s.vars {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// exprText writes a variable or chain of fields as written.
func exprText(e ast.Expr) string {
	switch e.Kind() {
	case ast.IdentKind:
		return e.AsIdent()
	case ast.SelectKind:
		return exprText(e.AsSelect().Operand()) + "." + e.AsSelect().FieldName()
	}
	return "the value"
}

var operators = map[string]string{
	"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%", "_<_": "<", "_<=_": "<=", "_>_": ">",
	"_>=_": ">=", "_==_": "==", "_!=_": "!=", "!_": "!", "-_": "-", "_&&_": "&&", "_||_": "||",
	"_[_]": "[]", "_?_:_": "? :", "@in": "in",
}

func operator(name string) string {
	if op, ok := operators[name]; ok {
		return op
	}
	return name + "()"
}

// argWords turns "(string, int)" into "text and a whole number".
func argWords(list string) string {
	list = strings.TrimSuffix(strings.TrimPrefix(list, "("), ")")
	var words []string
	depth, start := 0, 0
	for i, r := range list + "," {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			words = append(words, typeNameWords(strings.TrimSpace(list[start:i])))
			start = i + 1
		}
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// typeNameWords names a type written as CEL prints it.
func typeNameWords(name string) string {
	switch {
	case strings.HasPrefix(name, typePrefix), strings.HasPrefix(name, "map("):
		return "a group of fields"
	case strings.HasPrefix(name, "list("):
		return "a list"
	}
	switch name {
	case "string":
		return "text"
	case "int", "uint":
		return "a whole number"
	case "double":
		return "a number"
	case "bool":
		return "true or false"
	case "google.protobuf.Timestamp":
		return "a time"
	case "google.protobuf.Duration":
		return "a duration"
	case "null_type":
		return "null"
	}
	return "a value"
}

// runtimeWords rephrases CEL's evaluation errors.
func runtimeWords(msg string) string {
	switch {
	case strings.HasPrefix(msg, "no such key: "):
		return "there is no field `" + strings.TrimPrefix(msg, "no such key: ") + "`"
	case strings.Contains(msg, "actual cost limit exceeded"):
		return "it does too much work; simplify it"
	case strings.Contains(msg, "division by zero"):
		return "it divides by zero"
	}
	return msg
}

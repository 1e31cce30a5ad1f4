package opa

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/runwayhq/runway"
)

// value converts the input to OPA's value form directly, field by field.
// Converting a large Go value through JSON on every decision costs more
// than the evaluation itself (DESIGN.md pitfalls); this walk costs a tenth.
// TestValueMatchesJSON and FuzzInput keep it identical to the JSON form.
func (in *input) value() ast.Value {
	return obj(
		"manifest", manifestTerm(in.Manifest),
		"risk", obj("declared", str(string(in.Risk.Declared))),
		"findings", list(in.Findings, findingTerm),
		"checks", list(in.Checks, checkTerm),
		"sbom", sbomTerm(in.SBOM),
		"environment", str(in.Environment),
		"candidate", obj("digest", str(in.Candidate.Digest), "submitted_by", str(in.Candidate.SubmittedBy)),
		"approvals", list(in.Approvals, func(a approvalGiven) *ast.Term { return obj("role", str(a.Role), "by", str(a.By)) }),
		"exceptions", list(in.Exceptions, exceptionTerm),
	).Value
}

// str converts a string the way encoding/json writes it: each byte that is
// not valid UTF-8 becomes U+FFFD, so policies see what policy-input.json
// holds.
func str(s string) *ast.Term {
	return ast.NewTerm(strValue(s))
}

func strValue(s string) ast.Value {
	if utf8.ValidString(s) {
		return ast.String(s)
	}
	return ast.String(validUTF8(s))
}

func validUTF8(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// keys holds one term per key name: terms are immutable, so every object
// shares them instead of allocating its own.
var keys sync.Map

func key(name string) *ast.Term {
	if t, ok := keys.Load(name); ok {
		return t.(*ast.Term)
	}
	t, _ := keys.LoadOrStore(name, ast.StringTerm(name))
	return t.(*ast.Term)
}

// obj builds an object from alternating keys and values.
func obj(kv ...any) *ast.Term {
	items := make([][2]*ast.Term, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		items = append(items, [2]*ast.Term{key(kv[i].(string)), kv[i+1].(*ast.Term)})
	}
	return ast.NewTerm(ast.NewObject(items...))
}

// list converts a slice; nil becomes null, as in JSON.
func list[T any](xs []T, f func(T) *ast.Term) *ast.Term {
	if xs == nil {
		return ast.NullTerm()
	}
	terms := make([]*ast.Term, len(xs))
	for i, x := range xs {
		terms[i] = f(x)
	}
	return ast.ArrayTerm(terms...)
}

func strs(ss []string) *ast.Term { return list(ss, str) }

// omit adds key and value to kv unless the value is empty, like JSON's
// omitempty.
func omit(kv []any, key, value string) []any {
	if value == "" {
		return kv
	}
	return append(kv, key, str(value))
}

func manifestTerm(m *runway.Manifest) *ast.Term {
	if m == nil {
		return ast.NullTerm()
	}
	kv := []any{"name", str(m.Name), "owner", str(m.Owner)}
	kv = omit(kv, "template", m.Template)
	kv = omit(kv, "description", m.Description)
	run := omit(omit(omit(omit(omit(nil, "build", m.Run.Build), "lint", m.Run.Lint), "test", m.Run.Test), "start", m.Run.Start), "health", m.Run.Health)
	kv = append(kv,
		"risk", str(string(m.Risk)),
		"audience", str(string(m.Audience)),
		"expected_users", ast.IntNumberTerm(m.ExpectedUsers),
		"data", list(m.Data, func(d runway.DataClass) *ast.Term { return str(string(d)) }),
		"integrations", list(m.Integrations, integrationTerm),
		"flags", obj("security_review", ast.BooleanTerm(m.Flags.SecurityReview)),
		"budget", obj("monthly_usd", ast.FloatNumberTerm(m.Budget.MonthlyUSD)),
		"run", obj(run...),
	)
	return obj(kv...)
}

func integrationTerm(i runway.Integration) *ast.Term {
	kv := []any{"name", str(i.Name), "host", str(i.Host), "requires_secret", ast.BooleanTerm(i.RequiresSecret)}
	return obj(omit(kv, "secret", i.Secret)...)
}

func findingTerm(f inputFinding) *ast.Term {
	kv := []any{
		"id", str(f.ID), "check", str(f.Check), "kind", str(string(f.Kind)), "severity", str(string(f.Severity)),
		"title", str(f.Title), "message", str(f.Message), "file", str(f.File), "line", ast.IntNumberTerm(f.Line),
	}
	if f.Column != 0 {
		kv = append(kv, "column", ast.IntNumberTerm(f.Column))
	}
	kv = append(kv, "rule", str(f.Rule), "advisory", advisoryTerm(f.Advisory), "package", packageTerm(f.Package),
		"fix", str(f.Fix), "blocking", ast.BooleanTerm(f.Blocking), "suppressed", ast.BooleanTerm(f.Suppressed))
	if s := f.Suppression; s != nil {
		kv = append(kv, "suppression", obj(omit([]any{"source", str(s.Source), "reason", str(s.Reason)}, "expires", s.Expires)...))
	}
	return obj(kv...)
}

func advisoryTerm(a *runway.Advisory) *ast.Term {
	if a == nil {
		return ast.NullTerm()
	}
	return obj("id", str(a.ID), "aliases", strs(a.Aliases))
}

func packageTerm(p *runway.Package) *ast.Term {
	if p == nil {
		return ast.NullTerm()
	}
	return obj(omit([]any{"ecosystem", str(p.Ecosystem), "name", str(p.Name), "version", str(p.Version)}, "fixed", p.Fixed)...)
}

func checkTerm(c inputCheck) *ast.Term {
	details := ast.NullTerm()
	if c.Details != nil {
		if v, err := ast.InterfaceToValue(c.Details); err == nil {
			details = ast.NewTerm(v)
		}
	}
	return obj("name", str(c.Name), "status", str(string(c.Status)), "summary", str(c.Summary), "details", details)
}

func sbomTerm(s inputSBOM) *ast.Term {
	return obj(
		"generated", ast.BooleanTerm(s.Generated),
		"cyclonedx", str(s.CycloneDX),
		"spdx", str(s.SPDX),
		"available", ast.BooleanTerm(s.Available),
		"error", str(s.Error),
		"components", componentsTerm(s.Components),
		"licenses", list(s.Licenses, func(l licenseSummary) *ast.Term {
			return obj("expression", str(l.Expression), "choices", list(l.Choices, strs), "components", ast.IntNumberTerm(l.Components))
		}),
	)
}

// Components are most of the input, so their objects are built without
// the generic helper.
var (
	kEcosystem, kName, kVersion, kPURL = key("ecosystem"), key("name"), key("version"), key("purl")
	kLicenses, kDirect, kDev           = key("licenses"), key("direct"), key("dev")
	tTrue, tFalse                      = ast.BooleanTerm(true), ast.BooleanTerm(false)
)

func boolTerm(b bool) *ast.Term {
	if b {
		return tTrue
	}
	return tFalse
}

// componentsTerm converts the components with fewer allocations: the
// terms of one array come from one slab, and the values components share
// (ecosystems, licence lists) are converted once. Terms are never changed
// once built, so sharing them is safe.
func componentsTerm(cs []inputComponent) *ast.Term {
	if cs == nil {
		return ast.NullTerm()
	}
	slab := make([]ast.Term, 4*len(cs))
	shared := map[string]*ast.Term{}
	sharedTerm := func(key string, build func() *ast.Term) *ast.Term {
		t, ok := shared[key]
		if !ok {
			t = build()
			shared[key] = t
		}
		return t
	}
	next := func(v ast.Value) *ast.Term {
		t := &slab[0]
		slab = slab[1:]
		t.Value = v
		return t
	}
	items := make([]*ast.Term, len(cs))
	for i, c := range cs {
		eco := sharedTerm("e\x00"+c.Ecosystem, func() *ast.Term { return str(c.Ecosystem) })
		licKey := "l\x00" + strings.Join(c.Licenses, "\x00")
		if c.Licenses == nil {
			licKey = "null"
		}
		lic := sharedTerm(licKey, func() *ast.Term { return strs(c.Licenses) })
		items[i] = next(ast.NewObject(
			[2]*ast.Term{kEcosystem, eco}, [2]*ast.Term{kName, next(strValue(c.Name))}, [2]*ast.Term{kVersion, next(strValue(c.Version))},
			[2]*ast.Term{kPURL, next(strValue(c.PURL))}, [2]*ast.Term{kLicenses, lic},
			[2]*ast.Term{kDirect, boolTerm(c.Direct)}, [2]*ast.Term{kDev, boolTerm(c.Dev)},
		))
	}
	return ast.ArrayTerm(items...)
}

func exceptionTerm(e ExceptionState) *ast.Term {
	kv := []any{"app", str(e.App), "rule", str(e.Rule), "reason", str(e.Reason), "approver", str(e.Approver), "expires", str(e.Expires)}
	if len(e.Environments) > 0 {
		kv = append(kv, "environments", strs(e.Environments))
	}
	return obj(append(kv, "active", ast.BooleanTerm(e.Active))...)
}

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
		"findings", findingsTerm(in.Findings),
		"checks", list(in.Checks, checkTerm),
		"sbom", sbomTerm(in.SBOM),
		"environment", str(in.Environment),
		"candidate", obj("digest", str(in.Candidate.Digest), "submitted_by", str(in.Candidate.SubmittedBy)),
		"approvals", list(in.Approvals, func(a approvalGiven) *ast.Term { return obj("role", str(a.Role), "by", str(a.By)) }),
		"exceptions", list(in.Exceptions, exceptionTerm),
		"connector", anyTerm(in.Connector),
		"summary", in.Summary.term(),
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

// findingsTerm converts the findings. They are the second largest part of
// the input, so their terms come from one slab (see terms) and their
// objects are built from arrays on the stack.
func findingsTerm(fs []inputFinding) *ast.Term {
	if fs == nil {
		return ast.NullTerm()
	}
	t := newTerms(16 * len(fs))
	items := make([]*ast.Term, len(fs))
	for i, f := range fs {
		items[i] = t.finding(f)
	}
	return ast.ArrayTerm(items...)
}

func (t *terms) finding(f inputFinding) *ast.Term {
	var buf [18][2]*ast.Term
	kv := append(buf[:0],
		[2]*ast.Term{kID, t.str(f.ID)}, [2]*ast.Term{kCheck, t.str(f.Check)}, [2]*ast.Term{kKind, t.str(string(f.Kind))},
		[2]*ast.Term{kSeverity, t.str(string(f.Severity))}, [2]*ast.Term{kTitle, t.str(f.Title)},
		[2]*ast.Term{kMessage, t.str(f.Message)}, [2]*ast.Term{kFile, t.str(f.File)},
		[2]*ast.Term{kLine, ast.InternedTerm(f.Line)}, [2]*ast.Term{kRule, t.str(f.Rule)},
		[2]*ast.Term{kAdvisory, advisoryTerm(f.Advisory)}, [2]*ast.Term{kPackage, t.pkg(f.Package)},
		[2]*ast.Term{kFix, t.str(f.Fix)}, [2]*ast.Term{kBlocking, boolTerm(f.Blocking)},
		[2]*ast.Term{kSuppressed, boolTerm(f.Suppressed)},
	)
	if f.Column != 0 {
		kv = append(kv, [2]*ast.Term{kColumn, ast.InternedTerm(f.Column)})
	}
	if f.Commit != "" {
		kv = append(kv, [2]*ast.Term{kCommit, t.str(f.Commit)})
	}
	if s := f.Suppression; s != nil {
		kv = append(kv, [2]*ast.Term{kSuppression, obj(omit([]any{"source", str(s.Source), "reason", str(s.Reason)}, "expires", s.Expires)...)})
	}
	return t.term(ast.NewObject(kv...))
}

func advisoryTerm(a *runway.Advisory) *ast.Term {
	if a == nil {
		return ast.NullTerm()
	}
	return obj("id", str(a.ID), "aliases", strs(a.Aliases))
}

func (t *terms) pkg(p *runway.Package) *ast.Term {
	if p == nil {
		return ast.NullTerm()
	}
	kv := [4][2]*ast.Term{{kEcosystem, t.str(p.Ecosystem)}, {kName, t.str(p.Name)}, {kVersion, t.str(p.Version)}}
	n := 3
	if p.Fixed != "" {
		kv[3], n = [2]*ast.Term{kFixed, t.str(p.Fixed)}, 4
	}
	return t.term(ast.NewObject(kv[:n]...))
}

func checkTerm(c inputCheck) *ast.Term {
	return obj("name", str(c.Name), "status", str(string(c.Status)), "summary", str(c.Summary), "details", anyTerm(c.Details))
}

// anyTerm converts a JSON-decoded object; null when it is nil.
func anyTerm(m map[string]any) *ast.Term {
	if m != nil {
		if v, err := ast.InterfaceToValue(m); err == nil {
			return ast.NewTerm(v)
		}
	}
	return ast.NullTerm()
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

// Keys of the objects built without the generic helper.
var (
	kEcosystem, kName, kVersion, kPURL = key("ecosystem"), key("name"), key("version"), key("purl")
	kLicenses, kDirect, kDev           = key("licenses"), key("direct"), key("dev")
	kID, kCheck, kKind, kSeverity      = key("id"), key("check"), key("kind"), key("severity")
	kTitle, kMessage, kFile, kLine     = key("title"), key("message"), key("file"), key("line")
	kColumn, kCommit, kRule, kAdvisory = key("column"), key("commit"), key("rule"), key("advisory")
	kPackage, kFix, kBlocking          = key("package"), key("fix"), key("blocking")
	kSuppressed, kSuppression, kFixed  = key("suppressed"), key("suppression"), key("fixed")
)

func boolTerm(b bool) *ast.Term { return ast.InternedTerm(b) }

// terms hands out terms from slabs, one allocation for many terms. Terms
// are never changed once built, so the objects of one input can share
// them and the slab lives as long as any of them.
type terms struct{ slab []ast.Term }

func newTerms(n int) *terms { return &terms{slab: make([]ast.Term, n)} }

func (t *terms) term(v ast.Value) *ast.Term {
	if len(t.slab) == 0 {
		t.slab = make([]ast.Term, 64)
	}
	x := &t.slab[0]
	t.slab = t.slab[1:]
	x.Value = v
	return x
}

func (t *terms) str(s string) *ast.Term { return t.term(strValue(s)) }

// componentsTerm converts the components, most of the input, with as few
// allocations as OPA's objects allow: terms come from a slab, objects are
// built from arrays on the stack, and the values components share
// (ecosystems, licence lists) are converted once.
func componentsTerm(cs []inputComponent) *ast.Term {
	if cs == nil {
		return ast.NullTerm()
	}
	t := newTerms(4 * len(cs))
	ecosystems := map[string]*ast.Term{}
	// Most components have one licence: those lists are found by the
	// licence itself, without building a key.
	single, multi := map[string]*ast.Term{}, map[string]*ast.Term{}
	items := make([]*ast.Term, len(cs))
	for i, c := range cs {
		eco, ok := ecosystems[c.Ecosystem]
		if !ok {
			eco = str(c.Ecosystem)
			ecosystems[c.Ecosystem] = eco
		}
		var lic *ast.Term
		switch {
		case c.Licenses == nil:
			lic = ast.NullTerm()
		case len(c.Licenses) == 1:
			if lic, ok = single[c.Licenses[0]]; !ok {
				lic = strs(c.Licenses)
				single[c.Licenses[0]] = lic
			}
		default:
			k := strings.Join(c.Licenses, "\x00")
			if lic, ok = multi[k]; !ok {
				lic = strs(c.Licenses)
				multi[k] = lic
			}
		}
		items[i] = t.term(ast.NewObject(
			[2]*ast.Term{kEcosystem, eco}, [2]*ast.Term{kName, t.str(c.Name)}, [2]*ast.Term{kVersion, t.str(c.Version)},
			[2]*ast.Term{kPURL, t.str(c.PURL)}, [2]*ast.Term{kLicenses, lic},
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

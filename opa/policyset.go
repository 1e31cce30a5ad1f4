package opa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// outputs are the rules Runway collects from every package.
var outputs = []string{"deny", "warn", "approvals", "tier", "allow"}

// engineFile names the module Runway generates to collect the outputs.
const engineFile = "runway:engine.rego"

// policySet is a compiled set of policies: the built-in bundle plus the
// organisation's, with the module Runway generates to collect every
// package's outputs in one query.
type policySet struct {
	modules  map[string]*ast.Module
	texts    map[string]string
	compiler *ast.Compiler
	store    storage.Store
	packages []pkgInfo
	// slots say what each element of the generated result is.
	slots []slot
	rules *ruleIndex
	// revision identifies the exact policies and data: a digest of every
	// file, plus each bundle's own revision.
	revision string
	bundles  map[string]string
}

// pkgInfo is one loaded package and which outputs it defines.
type pkgInfo struct {
	Name    string          `json:"package"`
	Files   []string        `json:"files"`
	Outputs map[string]bool `json:"-"`
	// sets are the outputs defined only by multi-value rules (`deny
	// contains`, v0 `deny[msg]`): they are always defined, at least empty.
	sets    map[string]bool
	path    ast.Ref
	builtin bool
	// issues is true for a built-in package that defines `issues`, the
	// deny and warn elements with their level: Runway reads them instead
	// of its deny and warn rules (see engineModule).
	issues bool
}

// slot is one value the generated module collects: an output of a package.
type slot struct {
	pkg, output string
	// set is true when the value is the output itself (a set, always
	// defined); otherwise it is an array of zero or one value.
	set bool
}

// loadOptions say what goes into a policy set.
type loadOptions struct {
	paths []string
	// tests keeps the _test.rego files of paths, and builtinTests those of
	// the built-in bundle (for `runway policy test`).
	tests, builtinTests bool
	// parseOnly stops before compiling: the test runner compiles itself.
	parseOnly bool
	// config is placed at data.runway.config.
	config map[string]any
}

// loadPolicySet reads, parses and compiles the policies. Problems in the
// policies are returned as a list; other failures as an error.
func loadPolicySet(ctx context.Context, opt loadOptions) (*policySet, []Problem, error) {
	origins, err := readOrigins(opt.paths)
	if err != nil {
		return nil, nil, err
	}
	return buildPolicySet(ctx, origins, opt)
}

// buildPolicySet parses and compiles policies already read.
func buildPolicySet(ctx context.Context, origins []origin, opt loadOptions) (*policySet, []Problem, error) {
	ps := &policySet{modules: map[string]*ast.Module{}, texts: map[string]string{}, bundles: map[string]string{}}
	data := map[string]any{}
	var problems []Problem
	digest := sha256.New()
	for _, o := range origins {
		if o.revision != "" {
			ps.bundles[o.name] = o.revision
		}
		for _, s := range o.sources {
			if s.test && !(opt.tests && o.name != "builtin" || opt.builtinTests && o.name == "builtin") {
				continue
			}
			// The revision depends on the content and the paths inside each
			// folder or bundle, not on where it sits on this machine.
			fmt.Fprintf(digest, "%s\x00%s\x00", path.Base(s.file)+s.rel, s.text)
			ps.texts[s.file] = s.text
			m, err := parseSource(s)
			if err != nil {
				problems = append(problems, astProblems(err, nil, ps.texts)...)
				continue
			}
			if p := reserved(o.name, s.file, m); p != nil {
				problems = append(problems, *p)
				continue
			}
			ps.modules[s.file] = m
		}
		if err := mergeData(data, o.data, ""); err != nil {
			return nil, nil, err
		}
	}
	if _, ok := data["runway"]; ok {
		return nil, nil, errReservedData
	}
	if opt.config != nil {
		data["runway"] = map[string]any{"config": opt.config}
	}
	fmt.Fprintf(digest, "data\x00%v", data)
	ps.revision = "sha256:" + hex.EncodeToString(digest.Sum(nil))[:16]
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, problems, nil
	}
	ps.packages = collectPackages(ps.modules)
	ps.modules[engineFile], ps.slots = engineModule(ps.packages)
	ps.rules = indexRules(ps.modules)
	ps.store = inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true))
	if opt.parseOnly {
		return ps, nil, nil
	}
	if problems := ps.compile(ctx); len(problems) > 0 {
		return nil, problems, nil
	}
	return ps, nil, nil
}

var errReservedData = errors.New("policy data may not use the top-level key `runway`: it belongs to the built-in policies; move it under your organisation's name")

func readOrigins(paths []string) ([]origin, error) {
	b, err := readBuiltin()
	if err != nil {
		return nil, err
	}
	origins := []origin{b}
	for _, p := range paths {
		o, err := readPath(p)
		if err != nil {
			return nil, err
		}
		origins = append(origins, o)
	}
	return origins, nil
}

// parseSource parses one file. Without a version fixed by its bundle, it
// tries Rego v1 first, then v0, and reports the error of the attempt that
// got further.
func parseSource(s source) (*ast.Module, error) {
	parse := func(v ast.RegoVersion) (*ast.Module, error) {
		m, err := ast.ParseModuleWithOpts(s.file, s.text, ast.ParserOptions{RegoVersion: v, ProcessAnnotation: true})
		if err == nil && m == nil {
			return nil, ast.Errors{ast.NewError(ast.ParseErr, &ast.Location{File: s.file, Row: 1, Col: 1}, "the file is empty: a policy file starts with `package NAME`")}
		}
		return m, err
	}
	if s.version != ast.RegoUndefined {
		return parse(s.version)
	}
	m, err1 := parse(ast.RegoV1)
	if err1 == nil {
		return m, nil
	}
	m, err0 := parse(ast.RegoV0)
	if err0 == nil {
		return m, nil
	}
	if position(err0) > position(err1) {
		return nil, err0
	}
	return nil, err1
}

// position orders parse errors by how far into the file they are.
func position(err error) int {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 && errs[0].Location != nil {
		return errs[0].Location.Row<<16 + errs[0].Location.Col
	}
	return 0
}

// reserved refuses an organisation package in the runway namespace: the
// built-in policies cannot be replaced, only excepted.
func reserved(origin, file string, m *ast.Module) *Problem {
	name := pkgName(m.Package.Path)
	if origin == "builtin" || (name != "runway" && !strings.HasPrefix(name, "runway.")) {
		return nil
	}
	return &Problem{File: file, Line: m.Package.Location.Row, Column: m.Package.Location.Col, Rule: name,
		Message: "package names starting with `runway` belong to the built-in policies; name yours after your organisation (for example `acme.apps`)"}
}

func pkgName(path ast.Ref) string {
	return strings.TrimPrefix(path.String(), "data.")
}

// collectPackages lists the packages of non-test modules, sorted, with the
// outputs each defines.
func collectPackages(modules map[string]*ast.Module) []pkgInfo {
	byName := map[string]*pkgInfo{}
	for file, m := range modules {
		if isTest(file) {
			continue
		}
		name := pkgName(m.Package.Path)
		if name == "runway.lib" {
			// The library's tier is the effective tier, not a policy's.
			continue
		}
		p, ok := byName[name]
		if !ok {
			p = &pkgInfo{Name: name, Outputs: map[string]bool{}, sets: map[string]bool{}, path: m.Package.Path, builtin: strings.HasPrefix(file, builtinPrefix)}
			byName[name] = p
		}
		p.Files = append(p.Files, file)
		for _, r := range m.Rules {
			n := ruleName(r)
			multi := r.Head.RuleKind() == ast.MultiValue && len(r.Head.Ref()) == 1 && len(r.Head.Args) == 0
			if n == "issues" && p.builtin && multi {
				p.issues = true
			}
			if !slices.Contains(outputs, n) {
				continue
			}
			if !p.Outputs[n] {
				p.sets[n] = multi
			} else if !multi {
				p.sets[n] = false
			}
			p.Outputs[n] = true
		}
	}
	out := make([]pkgInfo, 0, len(byName))
	for _, p := range byName {
		sort.Strings(p.Files)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func ruleName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

// engineModule generates package runway.engine: `raises` lists the tiers
// organisation packages ask for (runway.risk folds them into the tier) and
// `result` collects every package's outputs in one flat array, in the
// order of the slots it returns. A set output is always defined and is
// read directly; any other output (a complete rule such as tier or allow)
// is wrapped in a comprehension, an array of zero or one value, so that
// an undefined output cannot make the whole result undefined. A flat array
// saves the objects and keys a nested {"<pkg>": {"<output>": ...}} one
// builds on every decision (about 500 allocations with the built-in bundle
// and twenty organisation rules).
//
// A built-in package that defines `issues` contributes them in place of
// its deny and warn: each issue is a deny or warn element with its level,
// and Runway turns a deny that an active exception covers into a warning,
// as it does for every package. Its deny and warn rules say the same in
// Rego, for tests and for policies that read them (TestBuiltinOutputs),
// but evaluating them on every decision would cost three rules per
// package.
func engineModule(pkgs []pkgInfo) (*ast.Module, []slot) {
	var b strings.Builder
	b.WriteString("package runway.engine\n\n")
	for _, p := range pkgs {
		if p.Outputs["tier"] && !p.builtin {
			fmt.Fprintf(&b, "raises contains {\"package\": %q, \"tier\": t} if t := %s\n\n", p.Name, p.path.Append(ast.StringTerm("tier")))
		}
	}
	var slots []slot
	var refs []string
	add := func(p pkgInfo, output string, set bool) {
		ref := p.path.Append(ast.StringTerm(output)).String()
		if !set {
			ref = fmt.Sprintf("[x | x := %s]", ref)
		}
		slots = append(slots, slot{pkg: p.Name, output: output, set: set})
		refs = append(refs, ref)
	}
	for _, p := range pkgs {
		for _, o := range outputs {
			switch {
			case p.issues && (o == "deny" || o == "warn"):
				continue
			case p.Outputs[o]:
				add(p, o, p.sets[o])
			}
		}
		if p.issues {
			add(p, "issues", true)
		}
		if p.Name == "runway.risk" {
			add(p, "factors", true)
		}
	}
	b.WriteString("result := [")
	for _, ref := range refs {
		fmt.Fprintf(&b, "\n\t%s,", ref)
	}
	b.WriteString("\n]\n")
	return ast.MustParseModuleWithOpts(b.String(), ast.ParserOptions{RegoVersion: ast.RegoV1}), slots
}

// offline are the built-in functions policies may not call: Runway decides
// without the network, and a decision must not depend on it.
var offline = map[string]bool{"http.send": true, "net.lookup_ip_addr": true, "opa.runtime": true}

func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0]
	for _, b := range c.Builtins {
		if !offline[b.Name] {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	return c
}

// compile compiles the modules, checking them against the data in the
// store.
func (ps *policySet) compile(ctx context.Context) []Problem {
	txn, err := ps.store.NewTransaction(ctx)
	if err != nil {
		return []Problem{{File: "(policies)", Message: err.Error()}}
	}
	defer ps.store.Abort(ctx, txn)
	ps.compiler = ps.newCompiler(ctx, txn)
	ps.compiler.Compile(ps.modules)
	if ps.compiler.Failed() {
		return astProblems(ps.compiler.Errors, ps.rules, ps.texts)
	}
	return nil
}

// newCompiler returns a compiler with Runway's capabilities that checks the
// modules against the data in the store.
func (ps *policySet) newCompiler(ctx context.Context, txn storage.Transaction) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithPathConflictsCheck(storage.NonEmpty(ctx, ps.store, txn)).
		WithEnablePrintStatements(true)
}

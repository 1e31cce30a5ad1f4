package opa

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/runwayhq/runway"
)

// Environments are where a candidate can go, least exposed first.
var Environments = []string{"sandbox", "staging", "production"}

// InputFile is the name of the saved policy input in the artifacts folder.
const InputFile = "policy-input.json"

// Options configure an Engine.
type Options struct {
	// Policies are the organisation's policies: folders of .rego files,
	// single .rego files or OPA bundle archives (.tar.gz), evaluated
	// beside the built-in bundle.
	Policies []string
	// Exceptions is a policy exceptions file (YAML or JSON); empty for
	// none.
	Exceptions string
	// Environment is where the candidate goes: sandbox, staging or
	// production (the default).
	Environment string
	// DecisionLog receives one JSON line per decision; nil for none.
	DecisionLog io.Writer
	// Now returns the current time; nil means time.Now. It decides which
	// exceptions have expired and stamps the decision log.
	Now func() time.Time
	// Licenses configure the licence policy.
	Licenses Licenses
}

// Engine decides with the built-in and the organisation's policies. It is
// safe for concurrent use: policies are compiled and the query prepared
// once, in New.
type Engine struct {
	ps         *policySet
	query      rego.PreparedEvalQuery
	env        string
	exceptions []Exception
	now        func() time.Time
	log        *decisionLog
}

// New loads, compiles and prepares the policies. Policies that do not
// parse or compile, a bad exceptions file or an unknown environment are
// EINVALID errors naming the file, line and rule.
func New(ctx context.Context, opt Options) (*Engine, error) {
	e := &Engine{env: opt.Environment, now: opt.Now}
	if e.env == "" {
		e.env = "production"
	}
	if !slices.Contains(Environments, e.env) {
		return nil, runway.Errorf(runway.EINVALID, "environment %q is not one of sandbox, staging, production", opt.Environment)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if opt.DecisionLog != nil {
		e.log = &decisionLog{w: opt.DecisionLog}
	}
	if opt.Exceptions != "" {
		var err error
		if e.exceptions, err = LoadExceptions(opt.Exceptions); err != nil {
			return nil, err
		}
	}
	ps, problems, err := loadPolicySet(ctx, loadOptions{paths: opt.Policies, config: licenseConfig(opt.Licenses)})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problemsError("policy files have problems", problems)
	}
	e.ps = ps
	e.query, err = ps.prepare(ctx)
	if err != nil {
		return nil, err
	}
	return e, nil
}

func licenseConfig(l Licenses) map[string]any {
	if d := l.data(); d != nil {
		return map[string]any{"licenses": d}
	}
	return nil
}

// resultQuery collects every package's outputs (see engineModule).
const resultQuery = "data.runway.engine.result"

// prepare prepares the one query every decision evaluates. Built-in
// functions that fail raise errors instead of quietly making a rule
// undefined, which could drop a deny.
func (ps *policySet) prepare(ctx context.Context) (rego.PreparedEvalQuery, error) {
	q, err := rego.New(
		rego.Compiler(ps.compiler),
		rego.Store(ps.store),
		rego.Query(resultQuery),
		rego.StrictBuiltinErrors(true),
		rego.GenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }),
	).PrepareForEval(ctx)
	if err != nil {
		return q, fmt.Errorf("prepare policy query: %w", err)
	}
	return q, nil
}

// Decide implements runway.Decider. It builds the policy input from the
// workspace and the report, evaluates every policy, and records the
// decision, tier, risk, approvals and policy findings in r. The exact input
// is saved as ws.OutDir/policy-input.json for `runway policy eval` and
// `runway policy explain`. On error r is left blocked at tier 3.
func (e *Engine) Decide(ctx context.Context, ws *runway.Workspace, r *runway.Report) error {
	_, err := e.decide(ctx, ws, r)
	return err
}

// decide is Decide, returning the decision with its reasoning.
func (e *Engine) decide(ctx context.Context, ws *runway.Workspace, r *runway.Report) (*Decision, error) {
	start := e.now()
	in := buildInput(ws, r, e.env, e.exceptions, start)
	d, err := e.evaluate(ctx, in, in.value(), nil)
	if err != nil {
		r.Decision, r.Tier = runway.DecisionBlocked, 3
		return nil, err
	}
	r.Decision, r.Tier, r.Risk = d.Decision, d.Tier, d.Risk
	r.ApprovalsRequired = d.Roles()
	d.markBlocking(r.Findings)
	r.Findings = append(r.Findings, d.findings()...)
	r.Checks = append(r.Checks, d.checkResult(e.now().Sub(start).Milliseconds()))
	if ws.OutDir == "" && e.log == nil {
		return d, nil
	}
	data, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode policy input: %w", err)
	}
	if ws.OutDir != "" {
		if err := os.WriteFile(filepath.Join(ws.OutDir, InputFile), append(data, '\n'), 0o644); err != nil {
			return nil, fmt.Errorf("save policy input: %w", err)
		}
	}
	return d, e.log.write(start, d, digest(append(data, '\n')), e.ps)
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// evaluate runs the query on the input and combines the outputs into a
// decision. An evaluation error names the rule and fails closed.
func (e *Engine) evaluate(ctx context.Context, in *input, v ast.Value, tracer topdown.QueryTracer) (*Decision, error) {
	// The context cancels the evaluation through a callback rather than
	// the goroutine rego starts for each evaluation by default, and no
	// metrics are kept: nothing reads them.
	cancel := topdown.NewCancel()
	defer context.AfterFunc(ctx, cancel.Cancel)()
	opts := []rego.EvalOption{rego.EvalParsedInput(v), rego.EvalTime(e.now()), rego.EvalExternalCancel(cancel), rego.EvalMetrics(metrics.NoOp())}
	if tracer != nil {
		opts = append(opts, rego.EvalQueryTracer(tracer))
	}
	rs, err := e.query.Eval(ctx, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("evaluate policies: %w", ctx.Err())
		}
		return nil, problemsError("a policy failed while deciding, so the app is blocked", []Problem{evalProblem(err, e.ps.rules)})
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, runway.Errorf(runway.EINTERNAL, "the policy query returned %d results", len(rs))
	}
	t, ok := rs[0].Expressions[0].Value.(*ast.Term)
	if !ok {
		return nil, runway.Errorf(runway.EINTERNAL, "the policy query returned a %T", rs[0].Expressions[0].Value)
	}
	res, err := e.ps.decodeResult(t.Value)
	if err != nil {
		return nil, err
	}
	return decide(in, res, e.ps), nil
}

// Eval decides from a saved policy input (the policy-input.json that
// `runway check` writes), exactly as Decide would have. With trace set,
// OPA's evaluation trace, filtered by explain (full, notes or fails), is
// written to it. A malformed input is an EINVALID error.
func (e *Engine) Eval(ctx context.Context, inputJSON []byte, trace io.Writer, explain string) (*Decision, error) {
	in, v, err := parseInput(inputJSON)
	if err != nil {
		return nil, err
	}
	var buf *topdown.BufferTracer
	if trace != nil {
		buf = topdown.NewBufferTracer()
	}
	d, err := e.evaluate(ctx, in, v, tracerOrNil(buf))
	if buf != nil {
		if terr := writeTrace(trace, *buf, explain); terr != nil && err == nil {
			err = terr
		}
	}
	return d, err
}

func tracerOrNil(b *topdown.BufferTracer) topdown.QueryTracer {
	if b == nil {
		return nil
	}
	return b
}

// parseInput reads a saved input: the Go form for Runway's own use and the
// OPA form, converted from the document itself, for the policies.
func parseInput(data []byte) (*input, ast.Value, error) {
	bad := func(err error) error {
		return &runway.Error{Code: runway.EINVALID, Err: err,
			Message: "the policy input is not a valid policy-input.json (run `runway check` to write one to .runway/policy-input.json)"}
	}
	var raw any
	if err := util.UnmarshalJSON(data, &raw); err != nil {
		return nil, nil, bad(err)
	}
	if _, ok := raw.(map[string]any); !ok {
		return nil, nil, bad(errors.New("the document must be a JSON object"))
	}
	var in input
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return nil, nil, bad(err)
	}
	v, err := ast.InterfaceToValue(raw)
	if err != nil {
		return nil, nil, bad(err)
	}
	// The summary is derived from the other fields: work it out again, so
	// that an edited copy (a what-if) is judged on what it says.
	in.Summary = summarize(&in)
	v.(ast.Object).Insert(key("summary"), in.Summary.term())
	return &in, v, nil
}

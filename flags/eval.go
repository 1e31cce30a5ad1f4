package flags

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/runwayhq/runway"
)

// Reason says why an evaluation served what it served, in OpenFeature's
// words.
type Reason string

// Reasons.
const (
	// ReasonStatic: the flag is on and has no rules; everyone gets its
	// default variant.
	ReasonStatic Reason = "STATIC"
	// ReasonTargetingMatch: a rule matched and served a variant.
	ReasonTargetingMatch Reason = "TARGETING_MATCH"
	// ReasonSplit: a percentage rollout picked the variant by bucket.
	ReasonSplit Reason = "SPLIT"
	// ReasonDisabled: the flag is off (or killed) and served its off
	// variant. OpenFeature providers then return the app's code default.
	ReasonDisabled Reason = "DISABLED"
	// ReasonDefault: the flag is on, no rule matched, and it served its
	// default variant.
	ReasonDefault Reason = "DEFAULT"
	// ReasonError: the flag could not be evaluated; see the error code.
	ReasonError Reason = "ERROR"
)

// ErrorCode is an OpenFeature error code.
type ErrorCode string

// Error codes this package returns. TYPE_MISMATCH is the provider's to
// report: OFREP requests do not say which type the app expects, so the
// provider compares the value it gets with the type it was asked for.
const (
	ErrFlagNotFound        ErrorCode = "FLAG_NOT_FOUND"
	ErrParse               ErrorCode = "PARSE_ERROR"
	ErrTargetingKeyMissing ErrorCode = "TARGETING_KEY_MISSING"
	ErrInvalidContext      ErrorCode = "INVALID_CONTEXT"
	ErrGeneral             ErrorCode = "GENERAL"
	ErrTypeMismatch        ErrorCode = "TYPE_MISMATCH"
)

// Error is an evaluation that failed, as OFREP reports it.
type Error struct {
	Code    ErrorCode
	Details string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Details }

// Evaluation is the outcome of evaluating one flag, shaped as OFREP's
// evaluation success (Value, Reason, Variant, Metadata) or failure
// (ErrorCode, ErrorDetails).
type Evaluation struct {
	Key          string          `json:"key"`
	Value        json.RawMessage `json:"value,omitempty"`
	Reason       Reason          `json:"reason,omitempty"`
	Variant      string          `json:"variant,omitempty"`
	Metadata     map[string]any  `json:"metadata,omitempty"`
	ErrorCode    ErrorCode       `json:"errorCode,omitempty"`
	ErrorDetails string          `json:"errorDetails,omitempty"`
}

// Failed reports whether the evaluation is an error.
func (e *Evaluation) Failed() bool { return e.ErrorCode != "" }

// Snapshot is one app environment's flags and the app's groups, prepared
// for evaluation: values encoded, sets built, versions parsed. It is
// immutable and safe for concurrent use.
type Snapshot struct {
	flags  map[string]*prepared
	keys   []string // sorted
	groups map[string]*preparedGroup
}

type prepared struct {
	flag     *runway.Flag
	seed     string
	values   map[string]json.RawMessage
	rules    []preparedRule
	fallback preparedServe
}

type preparedRule struct {
	name  string
	conds []preparedCond
	serve preparedServe
}

type preparedServe struct {
	variant string
	rollout []runway.FlagWeight
}

type preparedCond struct {
	attr   string
	op     runway.FlagOp
	values []string
	set    map[string]struct{} // equals, in, not_in
	num    float64             // lt..gte
	semver string              // semver_*, canonical with a "v"
	groups []string            // in_group, not_in_group
}

type preparedGroup struct {
	keys  map[string]struct{}
	conds []preparedCond
}

// NewSnapshot prepares flags (of one app and environment) and the app's
// groups. The flags are expected to be valid (Validate); a flag that is not
// still evaluates without panicking, to its off variant at worst.
func NewSnapshot(flags []*runway.Flag, groups []*runway.FlagGroup) *Snapshot {
	s := &Snapshot{flags: make(map[string]*prepared, len(flags)), groups: make(map[string]*preparedGroup, len(groups))}
	for _, g := range groups {
		pg := &preparedGroup{keys: make(map[string]struct{}, len(g.Keys)), conds: prepareConds(g.Conditions)}
		for _, k := range g.Keys {
			pg.keys[k] = struct{}{}
		}
		s.groups[g.Name] = pg
	}
	for _, f := range flags {
		p := &prepared{flag: f, seed: f.Salt, values: make(map[string]json.RawMessage, len(f.Variants))}
		if p.seed == "" {
			p.seed = f.Key
		}
		for _, v := range f.Variants {
			var b bytes.Buffer
			if json.Compact(&b, v.Value) == nil {
				p.values[v.Name] = b.Bytes()
			}
		}
		for i, r := range f.Rules {
			name := r.Name
			if name == "" {
				name = fmt.Sprintf("rule %d", i+1)
			}
			p.rules = append(p.rules, preparedRule{name: name, conds: prepareConds(r.Conditions), serve: prepareServe(r.Serve)})
		}
		p.fallback = prepareServe(f.Default)
		s.flags[f.Key] = p
		s.keys = append(s.keys, f.Key)
	}
	slices.Sort(s.keys)
	return s
}

func prepareServe(s runway.FlagServe) preparedServe {
	return preparedServe{variant: s.Variant, rollout: s.Rollout}
}

func prepareConds(conds []runway.FlagCondition) []preparedCond {
	out := make([]preparedCond, 0, len(conds))
	for _, c := range conds {
		pc := preparedCond{attr: c.Attribute, op: c.Op, values: c.Values}
		switch c.Op {
		case runway.OpEquals, runway.OpNotEquals, runway.OpIn, runway.OpNotIn:
			pc.set = make(map[string]struct{}, len(c.Values))
			for _, v := range c.Values {
				pc.set[v] = struct{}{}
			}
		case runway.OpLT, runway.OpLTE, runway.OpGT, runway.OpGTE:
			if len(c.Values) > 0 {
				pc.num, _ = strconv.ParseFloat(c.Values[0], 64)
			}
		case runway.OpSemverEq, runway.OpSemverLT, runway.OpSemverLTE, runway.OpSemverGT, runway.OpSemverGTE:
			if len(c.Values) > 0 {
				pc.semver = canonicalSemver(c.Values[0])
			}
		case runway.OpInGroup, runway.OpNotInGroup:
			pc.groups = c.Values
		}
		out = append(out, pc)
	}
	return out
}

// Keys lists the snapshot's flag keys in order.
func (s *Snapshot) Keys() []string { return s.keys }

// Flag returns the flag of that key, or nil.
func (s *Snapshot) Flag(key string) *runway.Flag {
	if p := s.flags[key]; p != nil {
		return p.flag
	}
	return nil
}

// Evaluate evaluates one flag for a context. An unknown key is a
// FLAG_NOT_FOUND failure; a rollout without a targeting key is a
// TARGETING_KEY_MISSING failure.
func (s *Snapshot) Evaluate(key string, c Context) Evaluation {
	p := s.flags[key]
	if p == nil {
		return Evaluation{Key: key, Reason: ReasonError, ErrorCode: ErrFlagNotFound,
			ErrorDetails: fmt.Sprintf("there is no flag %q in this app and environment", key)}
	}
	f := p.flag
	if !f.Enabled {
		e := p.serveVariant(f.OffVariant, ReasonDisabled)
		if f.Kill != nil {
			e.Metadata["killed"] = true
		}
		return e
	}
	for _, r := range p.rules {
		if s.matchAll(r.conds, c) {
			e := p.serve(r.serve, c, ReasonTargetingMatch)
			if !e.Failed() {
				e.Metadata["rule"] = r.name
			}
			return e
		}
	}
	reason := ReasonDefault
	if len(p.rules) == 0 {
		reason = ReasonStatic
	}
	return p.serve(p.fallback, c, reason)
}

// EvaluateAll evaluates every flag of the snapshot for a context, in key
// order.
func (s *Snapshot) EvaluateAll(c Context) []Evaluation {
	out := make([]Evaluation, len(s.keys))
	for i, key := range s.keys {
		out[i] = s.Evaluate(key, c)
	}
	return out
}

// serve picks the variant of a rule or default: the variant itself, or
// the one whose bucket range holds the targeting key's bucket.
func (p *prepared) serve(sv preparedServe, c Context, reason Reason) Evaluation {
	if len(sv.rollout) == 0 {
		return p.serveVariant(sv.variant, reason)
	}
	if c.TargetingKey == "" {
		return Evaluation{Key: p.flag.Key, Reason: ReasonError, ErrorCode: ErrTargetingKeyMissing,
			ErrorDetails: fmt.Sprintf("flag %q is rolled out by percentage: send a targetingKey (a user or session id) in the context", p.flag.Key)}
	}
	bucket := runway.Bucket(p.seed, c.TargetingKey)
	variant, cum := sv.rollout[len(sv.rollout)-1].Variant, 0
	for _, w := range sv.rollout {
		cum += w.Weight
		if bucket < cum {
			variant = w.Variant
			break
		}
	}
	e := p.serveVariant(variant, ReasonSplit)
	e.Metadata["bucket"] = bucket
	return e
}

func (p *prepared) serveVariant(variant string, reason Reason) Evaluation {
	value, ok := p.values[variant]
	if !ok {
		return Evaluation{Key: p.flag.Key, Reason: ReasonError, ErrorCode: ErrGeneral,
			ErrorDetails: fmt.Sprintf("flag %q serves variant %q, which it does not have", p.flag.Key, variant)}
	}
	return Evaluation{Key: p.flag.Key, Value: value, Reason: reason, Variant: variant,
		Metadata: map[string]any{"version": p.flag.Version}}
}

func (s *Snapshot) matchAll(conds []preparedCond, c Context) bool {
	for i := range conds {
		if !s.match(&conds[i], c) {
			return false
		}
	}
	return true
}

// match tests one condition. A list attribute matches a positive operator
// when one of its items does; negative operators are the negation.
func (s *Snapshot) match(pc *preparedCond, c Context) bool {
	switch pc.op {
	case runway.OpInGroup:
		return s.inAnyGroup(pc.groups, c)
	case runway.OpNotInGroup:
		return !s.inAnyGroup(pc.groups, c)
	case runway.OpNotEquals, runway.OpNotIn:
		v, ok := c.lookup(pc.attr)
		return !ok || !anyItem(v, func(a any) bool { return inSet(pc.set, a) })
	}
	v, ok := c.lookup(pc.attr)
	if !ok {
		return false
	}
	return anyItem(v, func(a any) bool { return pc.test(a) })
}

func (pc *preparedCond) test(a any) bool {
	switch pc.op {
	case runway.OpEquals, runway.OpIn:
		return inSet(pc.set, a)
	case runway.OpStartsWith, runway.OpEndsWith, runway.OpContains:
		str, ok := text(a)
		if !ok {
			return false
		}
		for _, v := range pc.values {
			if pc.op == runway.OpStartsWith && strings.HasPrefix(str, v) ||
				pc.op == runway.OpEndsWith && strings.HasSuffix(str, v) ||
				pc.op == runway.OpContains && strings.Contains(str, v) {
				return true
			}
		}
		return false
	case runway.OpLT, runway.OpLTE, runway.OpGT, runway.OpGTE:
		n, ok := number(a)
		return ok && compares(pc.op, cmpFloat(n, pc.num))
	case runway.OpSemverEq, runway.OpSemverLT, runway.OpSemverLTE, runway.OpSemverGT, runway.OpSemverGTE:
		str, ok := a.(string)
		v := canonicalSemver(str)
		return ok && v != "" && pc.semver != "" && compares(pc.op, semver.Compare(v, pc.semver))
	}
	return false
}

func (s *Snapshot) inAnyGroup(names []string, c Context) bool {
	for _, name := range names {
		g := s.groups[name]
		if g == nil {
			continue
		}
		if _, ok := g.keys[c.TargetingKey]; ok && c.TargetingKey != "" {
			return true
		}
		// Groups never hold group conditions (Validate), so this recursion
		// stops after one level.
		if len(g.conds) > 0 && s.matchAll(g.conds, c) {
			return true
		}
	}
	return false
}

// compares says whether a comparison's result satisfies the operator.
func compares(op runway.FlagOp, cmp int) bool {
	switch op {
	case runway.OpLT, runway.OpSemverLT:
		return cmp < 0
	case runway.OpLTE, runway.OpSemverLTE:
		return cmp <= 0
	case runway.OpGT, runway.OpSemverGT:
		return cmp > 0
	case runway.OpGTE, runway.OpSemverGTE:
		return cmp >= 0
	case runway.OpSemverEq:
		return cmp == 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// anyItem applies test to a value, or to each item of a list value.
func anyItem(v any, test func(any) bool) bool {
	if list, ok := v.([]any); ok {
		return slices.ContainsFunc(list, test)
	}
	return test(v)
}

func inSet(set map[string]struct{}, a any) bool {
	str, ok := text(a)
	if !ok {
		return false
	}
	_, in := set[str]
	return in
}

// text is an attribute as conditions compare it: strings as they are,
// numbers as written, booleans as "true" and "false".
func text(a any) (string, bool) {
	switch a := a.(type) {
	case string:
		return a, true
	case json.Number:
		return a.String(), true
	case float64:
		return strconv.FormatFloat(a, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(a), true
	}
	return "", false
}

// number is an attribute as a number: a JSON number or a string holding one.
func number(a any) (float64, bool) {
	var s string
	switch a := a.(type) {
	case float64:
		return a, true
	case json.Number:
		s = a.String()
	case string:
		s = a
	default:
		return 0, false
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return n, err == nil
}

// canonicalSemver turns "1.4", "v1.4.2" or "2.0.0-beta.1+build" into the
// form golang.org/x/mod/semver compares, or "" when it is no version.
func canonicalSemver(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if s[0] != 'v' {
		s = "v" + s
	}
	if !semver.IsValid(s) {
		return ""
	}
	return s
}

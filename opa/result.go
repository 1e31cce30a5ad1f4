package opa

import (
	"fmt"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/runwayhq/runway"
)

// Violation is one deny or warn element of a policy, with where it comes
// from and what to do about it.
type Violation struct {
	// Rule is "<package>.<rule>": the element's own rule id, or the output
	// (deny, warn) for a plain message.
	Rule    string `json:"rule"`
	Package string `json:"package"`
	// Level is deny or warn.
	Level   string `json:"level"`
	Message string `json:"msg"`
	Why     string `json:"why,omitempty"`
	Fix     string `json:"fix,omitempty"`
	// ExceptionBy is the role that can grant an exception; "none" when no
	// exception can be granted.
	ExceptionBy string `json:"exception_by,omitempty"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	// Exception is set when an exception turned a deny into this warning.
	Exception *Exception `json:"exception,omitempty"`
	// Findings are the ids of the report's findings the element is about;
	// a deny makes them block, so that they are listed under what to fix.
	Findings []string `json:"findings,omitempty"`
}

// Approval is a role whose approval a policy requires, and why.
type Approval struct {
	Role    runway.Role `json:"role"`
	Reason  string      `json:"reason,omitempty"`
	Package string      `json:"package"`
	File    string      `json:"file"`
	Line    int         `json:"line"`
}

// Factor is one fact behind the tier: "handles personal data (pii)" calls
// for tier 3.
type Factor struct {
	Tier   int    `json:"tier"`
	Reason string `json:"reason"`
}

// rawResult is what the policies returned, decoded and checked, before
// Runway combines it into a decision.
type rawResult struct {
	tier      int
	factors   []Factor
	denies    []Violation
	warnings  []Violation
	approvals []Approval
	// allowedBy are the packages whose allow is true.
	allowedBy []string
	raised    map[string]int
}

// decodeResult checks and decodes the collected outputs, one per slot of
// the generated module. Anything a policy returns that Runway cannot use is
// an error naming the rule: a decision never silently ignores a policy.
func (ps *policySet) decodeResult(v ast.Value) (*rawResult, error) {
	res := &rawResult{tier: 1, raised: map[string]int{}}
	arr, ok := v.(*ast.Array)
	if !ok || arr.Len() != len(ps.slots) {
		return nil, fmt.Errorf("policy result is a %s of %d values, not an array of %d", ast.ValueName(v), lenOf(v), len(ps.slots))
	}
	for i, s := range ps.slots {
		out := arr.Elem(i).Value
		if !s.set {
			vals, _ := out.(*ast.Array)
			if vals == nil || vals.Len() == 0 {
				continue
			}
			out = vals.Elem(0).Value
		}
		if err := ps.decodeOutput(res, s.pkg, s.output, out); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(res.factors, func(i, j int) bool {
		if res.factors[i].Tier != res.factors[j].Tier {
			return res.factors[i].Tier > res.factors[j].Tier
		}
		return res.factors[i].Reason < res.factors[j].Reason
	})
	return res, nil
}

func lenOf(v ast.Value) int {
	if a, ok := v.(*ast.Array); ok {
		return a.Len()
	}
	return 0
}

func (ps *policySet) decodeOutput(res *rawResult, pkg, output string, v ast.Value) error {
	bad := func(format string, args ...any) error {
		file, line := ps.rules.locate(pkg, output, "", "")
		return problemsError("a policy returned something Runway cannot use", []Problem{{File: file, Line: line, Rule: pkg + "." + output, Message: fmt.Sprintf(format, args...)}})
	}
	switch output {
	case "issues":
		items, ok := elements(v)
		if !ok {
			return bad("issues must be a set of objects, not %s", describeValue(v))
		}
		for _, it := range items {
			o, _ := it.Value.(ast.Object)
			level := ""
			if o != nil {
				level = stringField(o, "level")
			}
			if level != "deny" && level != "warn" {
				return bad("each issue must be an object whose level is deny or warn, not %s", describeValue(it.Value))
			}
			viol := ps.violation(pkg, level, o)
			if level == "deny" {
				res.denies = append(res.denies, viol)
			} else {
				res.warnings = append(res.warnings, viol)
			}
		}
	case "deny", "warn":
		items, ok := elements(v)
		if !ok {
			return bad("%s must be a set of messages, not %s", output, describeValue(v))
		}
		for _, it := range items {
			viol := ps.violation(pkg, output, it.Value)
			if output == "deny" {
				res.denies = append(res.denies, viol)
			} else {
				res.warnings = append(res.warnings, viol)
			}
		}
	case "approvals":
		items, ok := elements(v)
		if !ok {
			return bad("approvals must be a set of roles, not %s", describeValue(v))
		}
		for _, it := range items {
			a, ok := ps.approval(pkg, it.Value)
			if !ok {
				return bad("each approval must be a role name or an object with `role` and `reason`, not %s", describeValue(it.Value))
			}
			if !slices.Contains(runway.Roles, a.Role) {
				return bad("approvals must name platform roles (developer, team-lead, security, platform, admin), not %q", a.Role)
			}
			res.approvals = append(res.approvals, a)
		}
	case "tier":
		t, ok := tierOf(v)
		if !ok {
			return bad("tier must be 1, 2 or 3, not %s", describeValue(v))
		}
		res.raised[pkg] = t
		res.tier = max(res.tier, t)
	case "allow":
		b, ok := v.(ast.Boolean)
		if !ok {
			return bad("allow must be true or false, not %s", describeValue(v))
		}
		if b {
			res.allowedBy = append(res.allowedBy, pkg)
		}
	case "factors":
		items, _ := elements(v)
		for _, it := range items {
			f, ok := it.Value.(ast.Object)
			if !ok {
				continue
			}
			t, ok := tierOf(field(f, "tier"))
			if ok {
				res.factors = append(res.factors, Factor{Tier: t, Reason: stringField(f, "reason")})
			}
		}
	}
	return nil
}

// elements returns the members of a set or an array.
func elements(v ast.Value) ([]*ast.Term, bool) {
	switch c := v.(type) {
	case ast.Set:
		return c.Slice(), true
	case *ast.Array:
		out := make([]*ast.Term, c.Len())
		for i := range out {
			out[i] = c.Elem(i)
		}
		return out, true
	}
	return nil, false
}

func tierOf(v ast.Value) (int, bool) {
	n, ok := v.(ast.Number)
	if !ok {
		return 0, false
	}
	i, ok := n.Int()
	if !ok || i < 1 || i > 3 {
		return 0, false
	}
	return i, true
}

// field returns the value at name, or nil.
func field(o ast.Object, name string) ast.Value {
	if t := o.Get(key(name)); t != nil {
		return t.Value
	}
	return nil
}

func stringField(o ast.Object, key string) string {
	s, _ := field(o, key).(ast.String)
	return string(s)
}

// stringsField returns the strings of an array or set field, sorted.
func stringsField(o ast.Object, key string) []string {
	var out []string
	add := func(t *ast.Term) {
		if s, ok := t.Value.(ast.String); ok {
			out = append(out, string(s))
		}
	}
	switch c := field(o, key).(type) {
	case *ast.Array:
		c.Foreach(add)
	case ast.Set:
		c.Foreach(add)
	}
	sort.Strings(out)
	return out
}

func describeValue(v ast.Value) string {
	s := v.String()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return fmt.Sprintf("%s %s", ast.ValueName(v), s)
}

// violation turns a deny or warn element into a Violation. A plain string
// is the message (the seed's style); an object may say more (docs/policy.md).
// Any other value still counts, shown as it is, so nothing is dropped.
func (ps *policySet) violation(pkg, output string, v ast.Value) Violation {
	viol := Violation{Package: pkg, Level: output, Rule: pkg + "." + output}
	switch x := v.(type) {
	case ast.String:
		viol.Message = string(x)
	case ast.Object:
		viol.Message = stringField(x, "msg")
		if viol.Message == "" {
			viol.Message = x.String()
		}
		if id := stringField(x, "rule"); id != "" {
			viol.Rule = pkg + "." + id
		}
		viol.Why, viol.Fix, viol.ExceptionBy = stringField(x, "why"), stringField(x, "fix"), stringField(x, "exception_by")
		if e, ok := field(x, "exception").(ast.Object); ok {
			viol.Exception = &Exception{Approver: stringField(e, "approver"), Reason: stringField(e, "reason"), Expires: stringField(e, "expires")}
		}
		viol.Findings = stringsField(x, "findings")
	default:
		viol.Message = v.String()
	}
	id := ""
	if o, ok := v.(ast.Object); ok {
		id = stringField(o, "rule")
	}
	viol.File, viol.Line = ps.rules.locate(pkg, output, id, viol.Message)
	return viol
}

// approval decodes one element of approvals.
func (ps *policySet) approval(pkg string, v ast.Value) (Approval, bool) {
	a := Approval{Package: pkg}
	switch x := v.(type) {
	case ast.String:
		a.Role = runway.Role(x)
	case ast.Object:
		a.Role, a.Reason = runway.Role(stringField(x, "role")), stringField(x, "reason")
	}
	if a.Role == "" {
		return a, false
	}
	a.File, a.Line = ps.rules.locate(pkg, "approvals", string(a.Role), string(a.Role))
	return a, true
}

package opa

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/runwayhq/runway"
)

// Decision is a policy decision with its full reasoning: what `runway
// check` reports and `runway policy explain` prints.
type Decision struct {
	App         string          `json:"app"`
	Environment string          `json:"environment"`
	Decision    runway.Decision `json:"decision"`
	Tier        runway.Tier     `json:"tier"`
	Risk        runway.Risk     `json:"risk"`
	// Factors are the facts behind the tier, highest first.
	Factors []Factor `json:"factors"`
	// Approvals are the approvals required, by role.
	Approvals []Approval `json:"approvals"`
	// Waived are the approvals an `allow` waived for a tier-1 app.
	Waived []Approval `json:"waived,omitempty"`
	// AllowedBy are the packages whose allow is true; it only counts at
	// tier 1.
	AllowedBy []string    `json:"allowed_by,omitempty"`
	Denies    []Violation `json:"deny"`
	Warnings  []Violation `json:"warn"`
	// BlockingFindings are the checks' own blocking findings, which block
	// whatever the policies say.
	BlockingFindings []string `json:"blocking_findings"`
	// Exceptions are the exceptions for this app, active or not.
	Exceptions []ExceptionState `json:"exceptions"`
	Packages   []string         `json:"packages"`
	Revision   string           `json:"revision"`
}

// decide combines the policies' outputs with the input into a decision.
// It is a pure function: the same input and outputs give the same decision.
//
//   - The tier is the highest any fact or package asks for; 3 when
//     runway.yaml could not be read.
//   - An active exception turns a deny of its rule into a warning (the
//     built-in policies do this themselves; this covers every package).
//   - Blocked when any deny remains, any check's finding blocks, or there
//     is no manifest; else needs_approval when approvals are required;
//     else pass. An `allow` waives the approvals of a tier-1 app only.
func decide(in *input, res *rawResult, ps *policySet) *Decision {
	d := &Decision{
		Environment: in.Environment,
		Tier:        runway.Tier(res.tier),
		Factors:     res.factors,
		AllowedBy:   res.allowedBy,
		Exceptions:  in.Exceptions,
		Revision:    ps.revision,
		Denies:      []Violation{},
		Warnings:    res.warnings,
		Approvals:   []Approval{},
	}
	if in.Manifest != nil {
		d.App = in.Manifest.Name
	} else {
		d.Tier = 3
	}
	for _, p := range ps.packages {
		if len(p.Outputs) > 0 {
			d.Packages = append(d.Packages, p.Name)
		}
	}
	for _, v := range res.denies {
		if e := matchException(in.Exceptions, v); e != nil {
			v.Level, v.Exception = "warn", e
			v.Message = fmt.Sprintf("%s (allowed by an exception until %s)", v.Message, e.Expires)
			d.Warnings = append(d.Warnings, v)
			continue
		}
		d.Denies = append(d.Denies, v)
	}
	sortViolations(d.Denies)
	sortViolations(d.Warnings)
	d.BlockingFindings = blockingFindings(in.Findings)
	d.Approvals = mergeApprovals(res.approvals)
	if d.Tier == 1 && len(res.allowedBy) > 0 && len(d.Approvals) > 0 {
		d.Waived, d.Approvals = d.Approvals, []Approval{}
	}
	d.Risk = riskOf(in, d)
	switch {
	case len(d.Denies) > 0 || len(d.BlockingFindings) > 0 || in.Manifest == nil:
		d.Decision = runway.DecisionBlocked
	case len(d.Approvals) > 0:
		d.Decision = runway.DecisionNeedsApproval
	default:
		d.Decision = runway.DecisionPass
	}
	return d
}

// matchException returns the active exception for a deny of an
// organisation policy, or nil. Rules that say no exception can be granted
// ("none") are never excepted.
func matchException(es []ExceptionState, v Violation) *Exception {
	if v.ExceptionBy == "none" {
		return nil
	}
	for _, e := range es {
		if e.Active && e.Rule == v.Rule {
			return &e.Exception
		}
	}
	return nil
}

func blockingFindings(fs []inputFinding) []string {
	out := []string{}
	for _, f := range fs {
		if f.Blocking && !f.Suppressed {
			out = append(out, f.Title)
		}
	}
	return out
}

// mergeApprovals keeps one approval per role, in the platform's role order
// (team-lead, security, platform, ...), then by name for other roles.
func mergeApprovals(as []Approval) []Approval {
	seen := map[runway.Role]bool{}
	out := []Approval{}
	for _, a := range as {
		if !seen[a.Role] {
			seen[a.Role] = true
			out = append(out, a)
		}
	}
	rank := func(r runway.Role) int {
		if i := slices.Index(runway.Roles, r); i >= 0 {
			return i
		}
		return len(runway.Roles)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if rank(out[i].Role) != rank(out[j].Role) {
			return rank(out[i].Role) < rank(out[j].Role)
		}
		return out[i].Role < out[j].Role
	})
	return out
}

func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].Rule != vs[j].Rule {
			return vs[i].Rule < vs[j].Rule
		}
		return vs[i].Message < vs[j].Message
	})
}

var riskLevels = map[runway.Tier]runway.RiskLevel{1: runway.RiskLow, 2: runway.RiskMedium, 3: runway.RiskHigh}

// riskOf states the declared and effective risk with the reasons in words.
func riskOf(in *input, d *Decision) runway.Risk {
	r := runway.Risk{Declared: in.Risk.Declared, Effective: riskLevels[d.Tier], Reasons: []string{}}
	for _, f := range d.Factors {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%s → tier %d", f.Reason, f.Tier))
	}
	if len(r.Reasons) == 0 {
		r.Reasons = append(r.Reasons, fmt.Sprintf("no policy raised it → tier %d", d.Tier))
	}
	return r
}

// Roles returns the roles whose approval is required, in role order.
func (d *Decision) Roles() []runway.Role {
	out := make([]runway.Role, len(d.Approvals))
	for i, a := range d.Approvals {
		out[i] = a.Role
	}
	return out
}

// exceptionText says who can grant an exception to a rule, in words.
func exceptionText(v Violation) string {
	switch by := strings.TrimSpace(v.ExceptionBy); by {
	case "none":
		return "No exception can be granted for this rule."
	case "":
		return fmt.Sprintf("If it must ship as it is, someone with the platform role can grant a time-limited exception for rule %s.", v.Rule)
	default:
		return fmt.Sprintf("If it must ship as it is, someone with the %s role can grant a time-limited exception for rule %s.", by, v.Rule)
	}
}

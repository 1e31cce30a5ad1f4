package release

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// Rules are the organisation's settings for approvals.
type Rules struct {
	// Expiry is how long a request and its approvals stay valid, per tier
	// (DefaultExpiry when a tier is missing).
	Expiry map[runway.Tier]time.Duration
	// RemindBefore is how long before a request expires its approvers are
	// reminded (DefaultRemindBefore when zero; at most half the expiry).
	RemindBefore time.Duration
	// FallbackRole approves instead of a team lead when the team has no
	// team lead other than the people who submitted and asked
	// (runway.RolePlatform when empty).
	FallbackRole runway.Role
}

// Defaults.
const (
	DefaultExpiry       = 7 * 24 * time.Hour
	DefaultRemindBefore = 24 * time.Hour
)

func (r Rules) expiry(t runway.Tier) time.Duration {
	if d, ok := r.Expiry[t]; ok && d > 0 {
		return d
	}
	return DefaultExpiry
}

func (r Rules) remindBefore(t runway.Tier) time.Duration {
	d := r.RemindBefore
	if d <= 0 {
		d = DefaultRemindBefore
	}
	return min(d, r.expiry(t)/2)
}

func (r Rules) fallbackRole() runway.Role {
	if r.FallbackRole == "" {
		return runway.RolePlatform
	}
	return r.FallbackRole
}

// eligible reports whether a user with grants may meet q. Admins may meet
// any requirement; separation of duties is checked apart (sodProblem).
func eligible(grants []runway.RoleGrant, q runway.Requirement, team string) bool {
	for _, g := range grants {
		switch {
		case g.Role == runway.RoleAdmin:
			return true
		case q.Kind == runway.RequireBreakGlass:
			if g.Role == runway.RoleSecurity || g.Role == runway.RolePlatform || (g.Role == runway.RoleTeamLead && g.Team == team) {
				return true
			}
		case g.Role == q.Role && (!q.Role.TeamScoped() || g.Team == q.Team):
			return true
		}
	}
	return false
}

// sodProblem says why actor may not answer p at all, or "" when they may:
// nobody answers a request for a candidate they submitted or a promotion
// they asked for — admins included.
func sodProblem(p *runway.Promotion, actor string) string {
	switch actor {
	case p.SubmittedBy:
		return fmt.Sprintf("you submitted candidate #%d, so someone else must review it (separation of duties)", p.Candidate)
	case p.RequestedBy:
		return "you asked for this promotion, so someone else must review it (separation of duties)"
	}
	return ""
}

// current reports whether an approval still binds to what p is now: the
// same candidate digest, decision digest and, for an SBOM sign-off, SBOM
// digest, unexpired and not voided.
func current(p *runway.Promotion, a *runway.Approval, now time.Time) bool {
	return a.Counts(now) && a.CandidateDigest == p.CandidateDigest && a.DecisionDigest == p.DecisionDigest &&
		(a.Kind != runway.RequireSBOMSignoff || a.SBOMDigest == p.SBOMDigest)
}

// match marks which approvals meet which requirements: a requirement is
// met by a current approval given for its kind and role, and each person
// counts once. It returns how many requirements are unmet.
func match(p *runway.Promotion, now time.Time) int {
	used := map[string]bool{}
	unmet := 0
	for i := range p.Requirements {
		q := &p.Requirements[i]
		q.MetBy = 0
		for j := range p.Approvals {
			a := &p.Approvals[j]
			if used[a.By] || a.Kind != q.Kind || a.Role != q.Role || !current(p, a, now) || sodProblem(p, a.By) != "" {
				continue
			}
			q.MetBy, used[a.By] = a.ID, true
			if a.ID == 0 {
				q.MetBy = -1 // new, not yet stored: met all the same
			}
			break
		}
		if q.MetBy == 0 {
			unmet++
		}
	}
	return unmet
}

// requirementFor picks the unmet requirement an approver with grants
// answers: the one in role as when given, else the first they may meet.
func requirementFor(p *runway.Promotion, grants []runway.RoleGrant, as runway.Role) (*runway.Requirement, error) {
	var can []string
	for i := range p.Requirements {
		q := &p.Requirements[i]
		if !eligible(grants, *q, p.Team) {
			continue
		}
		can = append(can, describeRole(*q))
		if q.MetBy != 0 || (as != "" && q.Role != as) {
			continue
		}
		return q, nil
	}
	switch {
	case len(can) == 0:
		return nil, runway.Errorf(runway.EFORBIDDEN, "this request needs %s; you hold none of these roles", needList(p.Requirements))
	case as != "":
		return nil, runway.Errorf(runway.ECONFLICT, "nothing left to approve as %s: the request needs %s", as, needList(p.Requirements))
	}
	return nil, runway.Errorf(runway.ECONFLICT, "what you may approve (%s) is already approved by someone else; it waits for %s", strings.Join(can, ", "), unmetList(p.Requirements))
}

func describeRole(q runway.Requirement) string {
	switch {
	case q.Kind == runway.RequireBreakGlass:
		return "a second person to confirm the break-glass release"
	case q.Kind == runway.RequireSBOMSignoff:
		return "a security reviewer's sign-off on the SBOM"
	case q.Role == runway.RoleTeamLead:
		return fmt.Sprintf("one team lead of %s", q.Team)
	}
	return fmt.Sprintf("one person from %s", q.Role)
}

func needList(qs []runway.Requirement) string {
	var out []string
	for _, q := range qs {
		out = append(out, describeRole(q))
	}
	return JoinWords(out)
}

func unmetList(qs []runway.Requirement) string {
	var out []string
	for _, q := range qs {
		if q.MetBy == 0 {
			out = append(out, describeRole(q))
		}
	}
	if len(out) == 0 {
		return "nothing more"
	}
	return JoinWords(out)
}

// JoinWords joins "a", "b" and "c" as people write them: "a, b and c".
func JoinWords(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// requirements turns a policy verdict into what a promotion needs, each
// with why in plain words. Approvals the policies ask for of one role merge
// into one requirement. A team-lead requirement falls back to rules'
// fallback role when the team has no team lead but the submitter and the
// requester (teamLeads lists the team's team leads, as "user:EMAIL").
func (r Rules) requirements(v *runway.PolicyVerdict, app *runway.App, env runway.Environment, p *runway.Promotion, teamLeads []string) []runway.Requirement {
	if p.BreakGlass {
		return []runway.Requirement{{Kind: runway.RequireBreakGlass, Role: runway.RoleSecurity,
			Why: fmt.Sprintf("Break-glass: this skips the usual approvals and release windows. A second person (a team lead of %s, security, platform or an admin) must confirm it.", app.Team)}}
	}
	var out []runway.Requirement
	for _, a := range v.Approvals {
		i := slices.IndexFunc(out, func(q runway.Requirement) bool { return q.Role == a.Role })
		if i >= 0 {
			if a.Reason != "" && !strings.Contains(out[i].Why, a.Reason) {
				out[i].Why += "; " + a.Reason
			}
			continue
		}
		q := runway.Requirement{Kind: runway.RequireApproval, Role: a.Role, Why: a.Reason}
		if a.Role.TeamScoped() {
			q.Team = app.Team
		}
		if q.Why == "" {
			q.Why = fmt.Sprintf("the organisation's policies ask for %s", describeRole(q))
		}
		out = append(out, q)
	}
	for i := range out {
		q := &out[i]
		if q.Role == runway.RoleTeamLead && !slices.ContainsFunc(teamLeads, func(u string) bool { return u != p.SubmittedBy && u != p.RequestedBy }) {
			q.Role, q.Team, q.Fallback = r.fallbackRole(), "", true
			q.Why += fmt.Sprintf(". Team %s has no other team lead who could approve, so someone from %s approves instead", app.Team, q.Role)
		}
		if q.Role == runway.RoleSecurity && v.Tier >= 3 && env == runway.EnvProduction {
			q.Kind = runway.RequireSBOMSignoff
			q.Why += ", with a sign-off on what changed in the SBOM since the last production release"
		}
	}
	return out
}

// explain says in plain words what a promotion needs and why.
func explain(app *runway.App, v *runway.PolicyVerdict, p *runway.Promotion) []string {
	var why []string
	if len(p.Requirements) == 0 {
		return append(why, fmt.Sprintf("%s is tier %d and nobody needs to approve it for %s.", app.Name, v.Tier, p.Environment))
	}
	why = append(why, fmt.Sprintf("Needs %s.", needList(p.Requirements)))
	for _, q := range p.Requirements {
		why = append(why, Sentence(q.Why))
	}
	if len(v.Reasons) > 0 {
		why = append(why, fmt.Sprintf("%s is tier %d: %s.", app.Name, v.Tier, strings.Join(v.Reasons, "; ")))
	}
	return why
}

// Sentence capitalises s and ends it with a full stop.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Package access makes every authorization decision of the platform: who
// may do what to which team's things. It is a pure function over the
// principal's roles and token scopes; handlers and services ask it and
// never decide on their own, so one table here is the whole policy, and
// one generated test covers every action × role × team.
//
// access imports only the root runway package.
package access

import (
	"fmt"
	"slices"

	"github.com/runwayhq/runway"
)

// Action is something a principal may be allowed to do.
type Action string

// Actions.
const (
	ReadCatalog    Action = "catalog.read"    // list and show apps, teams
	ReadCandidates Action = "candidates.read" // a team's candidates with their reports
	Submit         Action = "candidates.submit"
	CreateTeam     Action = "teams.create"
	CreateUser     Action = "users.create"
	ManageTokens   Action = "tokens.manage" // one's own tokens
	ReadAudit      Action = "audit.read"
	Promote        Action = "promotions.request" // ask to promote a team's app
	Approve        Action = "promotions.answer"  // approve or reject (release adds separation of duties)
	RequestAccess  Action = "access.request"     // ask for time-limited elevated access
	ReadSecrets    Action = "secrets.read"       // the names, versions and authors of a team's app secrets, never values
	ManageSecrets  Action = "secrets.manage"     // set and delete a team's app secrets
)

// PerTeam reports whether the action is about one team's things, so that
// whether it is allowed depends on the team.
func (a Action) PerTeam() bool {
	return a == ReadCandidates || a == Submit || a == Promote || a == Approve || a == ReadSecrets || a == ManageSecrets
}

// Actions lists every action, for tests and documentation.
var Actions = []Action{ReadCatalog, ReadCandidates, Submit, CreateTeam, CreateUser, ManageTokens, ReadAudit, Promote, Approve, RequestAccess,
	ReadSecrets, ManageSecrets}

// Scopes a token may be limited to. A token without scopes may do what its
// user may do.
const (
	ScopeRead   = "read"
	ScopeSubmit = "submit"
	ScopeAdmin  = "admin"
	// ScopeApprove lets a token approve and reject: never give it to CI.
	ScopeApprove = "approve"
)

// Scopes lists the token scopes.
var Scopes = []string{ScopeRead, ScopeSubmit, ScopeApprove, ScopeAdmin}

// ValidScope reports whether s is a token scope.
func ValidScope(s string) bool { return slices.Contains(Scopes, s) }

// HasScope reports whether scopes include s.
func HasScope(scopes []string, s string) bool { return slices.Contains(scopes, s) }

// scopeOf is the scope an action needs from a scoped token.
var scopeOf = map[Action]string{
	ReadCatalog: ScopeRead, ReadCandidates: ScopeRead, ReadAudit: ScopeRead, ReadSecrets: ScopeRead,
	Submit: ScopeSubmit, Promote: ScopeSubmit,
	Approve: ScopeApprove, RequestAccess: ScopeApprove,
	CreateTeam: ScopeAdmin, CreateUser: ScopeAdmin, ManageTokens: ScopeAdmin,
	// Whoever sets a secret can read it (by deploying code that prints
	// it), so setting one takes the admin scope: a CI token never can.
	ManageSecrets: ScopeAdmin,
}

// Principal is who is asking: a user and the scopes of the token used
// (nil for a web session, which carries the user's full rights).
type Principal struct {
	User   *runway.User
	Scopes []string
}

// Actor names the principal in audit entries.
func (p Principal) Actor() string {
	if p.User == nil {
		return "anonymous"
	}
	return "user:" + p.User.Email
}

// has reports whether the user holds role, for team when the role is held
// per team.
func (p Principal) has(role runway.Role, team string) bool {
	for _, g := range p.User.Grants {
		if g.Role == role && (!role.TeamScoped() || g.Team == team) {
			return true
		}
	}
	return false
}

// Allowed reports whether p may do a to things of team ("" for actions
// that are not about one team).
func Allowed(p Principal, a Action, team string) bool {
	if p.User == nil {
		return false
	}
	if len(p.Scopes) > 0 && !slices.Contains(p.Scopes, scopeOf[a]) {
		return false
	}
	if p.has(runway.RoleAdmin, "") {
		return true
	}
	member := team != "" && (p.has(runway.RoleDeveloper, team) || p.has(runway.RoleTeamLead, team))
	switch a {
	case ReadCatalog, ManageTokens, RequestAccess:
		return true // every signed-in person sees the catalog, owns their tokens and may ask for access
	case ReadCandidates, ReadSecrets:
		return member || p.has(runway.RoleSecurity, "") || p.has(runway.RolePlatform, "")
	case ManageSecrets:
		// Not every developer: a secret opens another system, so the
		// team's lead answers for it, or the platform team.
		return p.has(runway.RoleTeamLead, team) || p.has(runway.RolePlatform, "")
	case Submit, Promote:
		return member
	case Approve:
		// Who may meet which requirement, and separation of duties, are
		// release's rules; here: anyone who may review the team's work.
		return member || p.has(runway.RoleSecurity, "") || p.has(runway.RolePlatform, "")
	case CreateTeam:
		return p.has(runway.RolePlatform, "")
	case ReadAudit:
		return p.has(runway.RoleSecurity, "")
	}
	return false // CreateUser and anything new: admins only
}

// Require returns nil when p may do a to team's things, else an error that
// says who may.
func Require(p Principal, a Action, team string) error {
	if p.User == nil {
		return runway.Errorf(runway.EUNAUTHORIZED, "sign in first: send a token (runway login) or sign in on the web")
	}
	if Allowed(p, a, team) {
		return nil
	}
	if len(p.Scopes) > 0 && !slices.Contains(p.Scopes, scopeOf[a]) {
		return runway.Errorf(runway.EFORBIDDEN, "this token is limited to %v and cannot %s: use a token with the %q scope", p.Scopes, label[a], scopeOf[a])
	}
	return runway.Errorf(runway.EFORBIDDEN, "you may not %s%s: %s", label[a], onTeam(team), who[a])
}

// label names an action in words.
var label = map[Action]string{
	ReadCatalog: "see the catalog", ReadCandidates: "see candidates", Submit: "submit candidates",
	CreateTeam: "create teams", CreateUser: "create users", ManageTokens: "manage tokens", ReadAudit: "read the audit trail",
	Promote: "ask to promote apps", Approve: "approve or reject promotions", RequestAccess: "ask for elevated access",
	ReadSecrets: "see app secrets", ManageSecrets: "set or delete app secrets",
}

func onTeam(team string) string {
	if team == "" {
		return ""
	}
	return fmt.Sprintf(" for team %s", team)
}

// who says, for a refusal, who may do an action.
var who = map[Action]string{
	ReadCandidates: "members of the app's team, security, platform and admins may",
	Submit:         "only developers and team leads of the app's team (and admins) may; ask your team lead to add you",
	CreateTeam:     "the platform team and admins may; ask them",
	CreateUser:     "only admins may",
	ReadAudit:      "security and admins may",
	Promote:        "only developers and team leads of the app's team (and admins) may",
	Approve:        "team leads and developers of the app's team, security, platform and admins may",
	ReadSecrets:    "members of the app's team, security, platform and admins may see their names (never their values)",
	ManageSecrets:  "team leads of the app's team, platform and admins may; ask your team lead",
}

package flags

import (
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Who may do what with flags. access has no flag actions; these rules are
// built from its existing ones (so token scopes apply as they do there)
// and from the principal's roles:
//
//   - read flags, groups, history, and try an evaluation: everyone signed
//     in, like the catalog (access.ReadCatalog);
//   - change a flag in sandbox or staging, and its keys: whoever may submit
//     the app's candidates (access.Submit: its team's developers and team
//     leads, admins; a token needs the submit scope);
//   - change a flag in production, turn it on there, or make or revoke a
//     production key: the same, and a team lead of the app's team or an
//     admin;
//   - change a group: as for production when a production flag of the app
//     uses the group, else as for staging;
//   - pull the kill switch, in any environment: whoever may submit or
//     answer promotions for the team (access.Submit or access.Approve:
//     team members, security, platform, admins), because turning a flag
//     off is how an incident is stopped;
//   - see the app's keys: team members, security, platform, admins
//     (access.ReadCandidates: the team's own things).

// MayRead reports whether p may see flags.
func MayRead(p access.Principal) bool { return access.Allowed(p, access.ReadCatalog, "") }

// MayChange reports whether p may change flags of a team's app in env.
func MayChange(p access.Principal, team string, env runway.Environment) bool {
	if !access.Allowed(p, access.Submit, team) {
		return false
	}
	return env != runway.EnvProduction || holds(p, runway.RoleTeamLead, team) || holds(p, runway.RoleAdmin, "")
}

// MayKill reports whether p may pull the kill switch of a team's flags.
func MayKill(p access.Principal, team string) bool {
	return access.Allowed(p, access.Submit, team) || access.Allowed(p, access.Approve, team)
}

// MaySeeKeys reports whether p may list a team's flag keys.
func MaySeeKeys(p access.Principal, team string) bool {
	return access.Allowed(p, access.ReadCandidates, team)
}

// holds reports whether p's user holds role (on team, for a team role).
func holds(p access.Principal, role runway.Role, team string) bool {
	if p.User == nil {
		return false
	}
	for _, g := range p.User.Grants {
		if g.Role == role && (!role.TeamScoped() || g.Team == team) {
			return true
		}
	}
	return false
}

// refuse says why p may not, and who may.
func refuse(p access.Principal, what, who string) error {
	if p.User == nil {
		return runway.Errorf(runway.EUNAUTHORIZED, "sign in first: send a token (runway login) or sign in on the web")
	}
	return runway.Errorf(runway.EFORBIDDEN, "you may not %s: %s", what, who)
}

const (
	whoChanges   = "developers and team leads of the app's team (and admins) may, with a token that has the submit scope"
	whoChangesPr = "in production, only team leads of the app's team and admins may, with a token that has the submit scope; ask your team lead"
	whoKills     = "members of the app's team, security, platform and admins may"
	whoSeesKeys  = "members of the app's team, security, platform and admins may"
)

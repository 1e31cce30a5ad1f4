package access

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// principals are one person per role; team roles are held for "web".
var principals = map[string]Principal{
	"developer": {User: &runway.User{Email: "dev@x", Grants: []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "web"}}}},
	"team-lead": {User: &runway.User{Email: "lead@x", Grants: []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: "web"}}}},
	"security":  {User: &runway.User{Email: "sec@x", Grants: []runway.RoleGrant{{Role: runway.RoleSecurity}}}},
	"platform":  {User: &runway.User{Email: "plat@x", Grants: []runway.RoleGrant{{Role: runway.RolePlatform}}}},
	"admin":     {User: &runway.User{Email: "admin@x", Grants: []runway.RoleGrant{{Role: runway.RoleAdmin}}}},
	"no role":   {User: &runway.User{Email: "new@x"}},
	"anonymous": {},
}

// want is the whole policy, written out: for each action, who may act on
// team web's things ("web") and on team data's ("data"). An entry missing
// here is a refusal.
var want = map[Action]map[string]string{
	ReadCatalog:    {"developer": "web data", "team-lead": "web data", "security": "web data", "platform": "web data", "admin": "web data", "no role": "web data"},
	ReadCandidates: {"developer": "web", "team-lead": "web", "security": "web data", "platform": "web data", "admin": "web data"},
	Submit:         {"developer": "web", "team-lead": "web", "admin": "web data"},
	CreateTeam:     {"platform": "web data", "admin": "web data"},
	CreateUser:     {"admin": "web data"},
	ManageTokens:   {"developer": "web data", "team-lead": "web data", "security": "web data", "platform": "web data", "admin": "web data", "no role": "web data"},
	ReadAudit:      {"security": "web data", "admin": "web data"},
	Promote:        {"developer": "web", "team-lead": "web", "admin": "web data"},
	Approve:        {"developer": "web", "team-lead": "web", "security": "web data", "platform": "web data", "admin": "web data"},
	RequestAccess:  {"developer": "web data", "team-lead": "web data", "security": "web data", "platform": "web data", "admin": "web data", "no role": "web data"},
	ReadSecrets:    {"developer": "web", "team-lead": "web", "security": "web data", "platform": "web data", "admin": "web data"},
	ManageSecrets:  {"team-lead": "web", "platform": "web data", "admin": "web data"},
}

func TestEveryActionRoleAndTeam(t *testing.T) {
	for _, a := range Actions {
		for name, p := range principals {
			for _, team := range []string{"web", "data"} {
				expected := strings.Contains(want[a][name], team)
				if got := Allowed(p, a, team); got != expected {
					t.Errorf("%s %s on team %s: allowed=%t, want %t", name, a, team, got, expected)
				}
				err := Require(p, a, team)
				if (err == nil) != expected {
					t.Errorf("Require(%s, %s, %s) = %v, want allowed=%t", name, a, team, err, expected)
				}
				if err != nil {
					code := runway.EFORBIDDEN
					if p.User == nil {
						code = runway.EUNAUTHORIZED
					}
					if runway.ErrorCode(err) != code {
						t.Errorf("Require(%s, %s) code %s, want %s", name, a, runway.ErrorCode(err), code)
					}
				}
			}
		}
	}
}

func TestScopesLimitTokens(t *testing.T) {
	admin := principals["admin"]
	for _, scope := range Scopes {
		p := Principal{User: admin.User, Scopes: []string{scope}}
		for _, a := range Actions {
			if got, expected := Allowed(p, a, "web"), scopeOf[a] == scope; got != expected {
				t.Errorf("admin token with scope %s, %s: allowed=%t, want %t", scope, a, got, expected)
			}
		}
	}
	for _, a := range Actions {
		if label[a] == "" {
			t.Errorf("action %s has no label: refusals would name it in code", a)
		}
		if scopeOf[a] == "" {
			t.Errorf("action %s has no scope: scoped tokens could never do it", a)
		}
	}
}

func TestRefusalsSayWhoMay(t *testing.T) {
	got := []string{
		Require(principals["developer"], Submit, "data").Error(),
		Require(Principal{User: principals["developer"].User, Scopes: []string{ScopeRead}}, Submit, "web").Error(),
		Require(principals["anonymous"], ReadCatalog, "").Error(),
		Require(principals["developer"], ManageSecrets, "web").Error(),
		Require(Principal{User: principals["team-lead"].User, Scopes: []string{ScopeSubmit}}, ManageSecrets, "web").Error(),
	}
	wantMsgs := []string{
		"you may not submit candidates for team data: only developers and team leads of the app's team (and admins) may; ask your team lead to add you",
		`this token is limited to [read] and cannot submit candidates: use a token with the "submit" scope`,
		"sign in first: send a token (runway login) or sign in on the web",
		"you may not set or delete app secrets for team web: team leads of the app's team, platform and admins may; ask your team lead",
		`this token is limited to [submit] and cannot set or delete app secrets: use a token with the "admin" scope`,
	}
	if fmt.Sprint(got) != fmt.Sprint(wantMsgs) {
		t.Errorf("refusals:\n%q\nwant\n%q", got, wantMsgs)
	}
}

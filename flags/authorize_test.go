package flags_test

import (
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/flags"
)

// TestWhoMay is the whole flag policy, written out: who may do each thing
// to team web's flags. A role missing from a row is refused.
func TestWhoMay(t *testing.T) {
	t.Parallel()
	checks := map[string]func(access.Principal) bool{
		"read":               flags.MayRead,
		"change sandbox":     func(p access.Principal) bool { return flags.MayChange(p, "web", runway.EnvSandbox) },
		"change staging":     func(p access.Principal) bool { return flags.MayChange(p, "web", runway.EnvStaging) },
		"change production":  func(p access.Principal) bool { return flags.MayChange(p, "web", runway.EnvProduction) },
		"pull a kill switch": func(p access.Principal) bool { return flags.MayKill(p, "web") },
		"see keys":           func(p access.Principal) bool { return flags.MaySeeKeys(p, "web") },
	}
	want := map[string]string{
		"read":               "developer team-lead other-dev security platform admin no-role",
		"change sandbox":     "developer team-lead admin",
		"change staging":     "developer team-lead admin",
		"change production":  "team-lead admin",
		"pull a kill switch": "developer team-lead security platform admin",
		"see keys":           "developer team-lead security platform admin",
	}
	for what, check := range checks {
		for name, p := range principals() {
			name = strings.ReplaceAll(name, " ", "-")
			expected := strings.Contains(" "+want[what]+" ", " "+name+" ")
			if got := check(p); got != expected {
				t.Errorf("%s may %s: %t, want %t", name, what, got, expected)
			}
		}
	}
}

// TestTokenScopes: a scoped token does only what its scopes allow, as
// access rules it.
func TestTokenScopes(t *testing.T) {
	t.Parallel()
	people := principals()
	scoped := func(who string, scopes ...string) access.Principal {
		return access.Principal{User: people[who].User, Scopes: scopes}
	}
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"a lead's read token changes production", flags.MayChange(scoped("team-lead", access.ScopeRead), "web", runway.EnvProduction), false},
		{"a lead's submit token changes production", flags.MayChange(scoped("team-lead", access.ScopeSubmit), "web", runway.EnvProduction), true},
		{"an admin's approve token changes staging", flags.MayChange(scoped("admin", access.ScopeApprove), "web", runway.EnvStaging), false},
		{"a developer's submit token kills", flags.MayKill(scoped("developer", access.ScopeSubmit), "web"), true},
		{"a developer's read token kills", flags.MayKill(scoped("developer", access.ScopeRead), "web"), false},
		{"security's approve token kills", flags.MayKill(scoped("security", access.ScopeApprove), "web"), true},
		{"security's read token reads", flags.MayRead(scoped("security", access.ScopeRead)), true},
		{"a submit token reads", flags.MayRead(scoped("developer", access.ScopeSubmit)), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %t, want %t", c.name, c.got, c.want)
		}
	}
}

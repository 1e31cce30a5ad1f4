package oidc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/oidc/oidctest"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	good := oidc.Config{Issuer: "https://login.example.com", ClientID: "runway",
		RedirectURL: "https://runway.example.com/auth/callback", Mappings: mappings}
	tests := []struct {
		name   string
		change func(*oidc.Config)
		want   []string // fragments of the message; none means valid
	}{
		{"good", func(*oidc.Config) {}, nil},
		{"issuer with a path", func(c *oidc.Config) { c.Issuer = "https://login.example.com/realms/acme" }, nil},
		{"http on localhost", func(c *oidc.Config) { c.Issuer = "http://localhost:5556/dex" }, nil},
		{"http on 127.0.0.1", func(c *oidc.Config) { c.Issuer = "http://127.0.0.1:5556" }, nil},
		{"http on ::1", func(c *oidc.Config) { c.Issuer = "http://[::1]:5556" }, nil},
		{"no issuer", func(c *oidc.Config) { c.Issuer = "" }, []string{"issuer is missing"}},
		{"http issuer", func(c *oidc.Config) { c.Issuer = "http://login.example.com" }, []string{`issuer "http://login.example.com" must use https`}},
		{"relative issuer", func(c *oidc.Config) { c.Issuer = "login.example.com" }, []string{`issuer "login.example.com" is not an absolute http(s) URL`}},
		{"issuer with a query", func(c *oidc.Config) { c.Issuer = "https://login.example.com?tenant=a" }, []string{"must not have a query"}},
		{"no client id", func(c *oidc.Config) { c.ClientID = " " }, []string{"client_id is missing"}},
		{"no redirect", func(c *oidc.Config) { c.RedirectURL = "" }, []string{"redirect_url is missing"}},
		{"relative redirect", func(c *oidc.Config) { c.RedirectURL = "/auth/callback" }, []string{`redirect_url "/auth/callback" is not an absolute`}},
		{"groups claim with spaces", func(c *oidc.Config) { c.GroupsClaim = " groups" }, []string{"groups_claim"}},
		{"team role without team", func(c *oidc.Config) {
			c.Mappings = []oidc.Mapping{{Group: "devs", Role: runway.RoleDeveloper}}
		}, []string{`mappings[0] (group "devs"): role developer is held per team: set team`}},
		{"org role with team", func(c *oidc.Config) {
			c.Mappings = []oidc.Mapping{{Group: "sec", Role: runway.RoleSecurity, Team: "team-a"}}
		}, []string{`mappings[0] (group "sec"): role security is an organisation role: remove team "team-a"`}},
		{"unknown role", func(c *oidc.Config) {
			c.Mappings = []oidc.Mapping{{Group: "ok", Role: runway.RoleAdmin}, {Group: "x", Role: "owner"}}
		}, []string{`mappings[1] (group "x"): role "owner" is unknown: use one of developer, team-lead, security, platform, admin`}},
		{"no group", func(c *oidc.Config) {
			c.Mappings = []oidc.Mapping{{Role: runway.RoleAdmin}}
		}, []string{"mappings[0] (group \"\"): group is missing"}},
		{"every problem at once", func(c *oidc.Config) {
			*c = oidc.Config{Mappings: []oidc.Mapping{{Group: "g", Role: runway.RoleTeamLead}}}
		}, []string{"issuer is missing", "client_id is missing", "redirect_url is missing", "mappings[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tt.change(&c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("Validate = %v, want an EINVALID error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(runway.ErrorMessage(err), w) {
					t.Errorf("message %q does not say %q", runway.ErrorMessage(err), w)
				}
			}
		})
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	c := oidc.Config{Mappings: mappings}
	tests := []struct {
		name   string
		groups []string
		want   []runway.RoleGrant
	}{
		{"none", nil, []runway.RoleGrant{}},
		{"unmapped only", []string{"marketing"}, []runway.RoleGrant{}},
		{"case matters", []string{"Team-A-Devs"}, []runway.RoleGrant{}},
		{"team role", []string{"team-a-devs"}, []runway.RoleGrant{{Role: runway.RoleDeveloper, Team: "team-a"}}},
		{"org role from two groups once", []string{"platform-oncall", "platform-eng"}, []runway.RoleGrant{{Role: runway.RolePlatform}}},
		{"sorted by role then team", []string{"team-b-leads", "platform-eng", "team-a-devs"}, []runway.RoleGrant{
			{Role: runway.RoleDeveloper, Team: "team-a"}, {Role: runway.RolePlatform}, {Role: runway.RoleTeamLead, Team: "team-b"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, c.Grants(tt.groups)); diff != "" {
			t.Errorf("%s: grants (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	_, err := oidc.New(context.Background(), oidc.Config{Issuer: "https://login.example.com"})
	if runway.ErrorCode(err) != runway.EINVALID {
		t.Fatalf("New = %v, want EINVALID", err)
	}
}

func TestNewDiscovery(t *testing.T) {
	t.Parallel()
	t.Run("issuer differs from the provider's", func(t *testing.T) {
		idp := oidctest.New(t)
		cfg := config(idp)
		cfg.Issuer = idp.URL + "/"
		_, err := oidc.New(context.Background(), cfg)
		if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(runway.ErrorMessage(err), "set issuer to exactly that") {
			t.Fatalf("New = %v, want EINVALID about the issuer", err)
		}
	})
	t.Run("provider down", func(t *testing.T) {
		idp := oidctest.New(t)
		idp.Close()
		_, err := oidc.New(context.Background(), config(idp))
		if runway.ErrorCode(err) != runway.EUNAVAILABLE {
			t.Fatalf("New = %v, want EUNAVAILABLE", err)
		}
	})
}

func TestNewFlow(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 50 {
		f := oidc.NewFlow()
		for _, v := range []string{f.State, f.Nonce, f.Verifier} {
			if len(v) != 43 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Fatalf("%q is not 32 bytes of URL-safe base64", v)
			}
			if seen[v] {
				t.Fatalf("%q came twice", v)
			}
			seen[v] = true
		}
	}
}

package oidc_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/oidc/oidctest"
)

const redirectURL = "http://127.0.0.1:8080/auth/callback"

var mappings = []oidc.Mapping{
	{Group: "team-a-devs", Role: runway.RoleDeveloper, Team: "team-a"},
	{Group: "team-b-leads", Role: runway.RoleTeamLead, Team: "team-b"},
	{Group: "platform-eng", Role: runway.RolePlatform},
	{Group: "platform-oncall", Role: runway.RolePlatform}, // same grant as above
}

func config(idp *oidctest.IdP) oidc.Config {
	return oidc.Config{Issuer: idp.URL, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
		RedirectURL: redirectURL, Mappings: mappings}
}

func newProvider(t *testing.T, cfg oidc.Config) *oidc.Provider {
	t.Helper()
	p, err := oidc.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// signIn runs one sign-in over HTTP the way the web layer will: a Flow,
// the browser sent to AuthURL, the state checked, the code exchanged.
func signIn(t *testing.T, idp *oidctest.IdP, p *oidc.Provider) (*oidc.Identity, error) {
	t.Helper()
	f := oidc.NewFlow()
	code, state := idp.Authorize(t, p.AuthURL(f.State, f.Nonce, f.Verifier))
	if state != f.State {
		t.Fatalf("state came back as %q, want %q", state, f.State)
	}
	return p.Exchange(context.Background(), code, f.Verifier, f.Nonce)
}

func TestSignInMapsGroupsToGrants(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	idp.SetUser(oidctest.User{Subject: "u-42", Email: "bob@example.com", Name: "Bob", EmailVerified: true,
		Groups: []string{"platform-oncall", "team-a-devs", "unmapped", "team-b-leads", "platform-eng", "team-a-devs"}})
	got, err := signIn(t, idp, newProvider(t, config(idp)))
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	want := &oidc.Identity{
		Subject: "u-42", Email: "bob@example.com", Name: "Bob", EmailVerified: true,
		Groups: []string{"platform-oncall", "team-a-devs", "unmapped", "team-b-leads", "platform-eng", "team-a-devs"},
		Grants: []runway.RoleGrant{
			{Role: runway.RoleDeveloper, Team: "team-a"},
			{Role: runway.RolePlatform},
			{Role: runway.RoleTeamLead, Team: "team-b"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
}

func TestSignInVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		user        oidctest.User
		groupsClaim string
		want        *oidc.Identity
	}{
		{"no groups", oidctest.User{Subject: "s", Email: "e@x.org", EmailVerified: true},
			"", &oidc.Identity{Subject: "s", Email: "e@x.org", EmailVerified: true, Grants: []runway.RoleGrant{}}},
		{"email_verified absent", oidctest.User{Subject: "s", Email: "e@x.org", Claims: map[string]any{"email_verified": nil}},
			"", &oidc.Identity{Subject: "s", Email: "e@x.org", Grants: []runway.RoleGrant{}}},
		{"email_verified as a string", oidctest.User{Subject: "s", Email: "e@x.org", Claims: map[string]any{"email_verified": "true"}},
			"", &oidc.Identity{Subject: "s", Email: "e@x.org", EmailVerified: true, Grants: []runway.RoleGrant{}}},
		{"groups in a namespaced claim", oidctest.User{Subject: "s", Email: "e@x.org", EmailVerified: true,
			Groups: []string{"team-a-devs"}, Claims: map[string]any{"https://example.com/groups": []string{"platform-eng"}}},
			"https://example.com/groups", &oidc.Identity{Subject: "s", Email: "e@x.org", EmailVerified: true,
				Groups: []string{"platform-eng"}, Grants: []runway.RoleGrant{{Role: runway.RolePlatform}}}},
		{"one group as a string", oidctest.User{Subject: "s", Email: "e@x.org", EmailVerified: true, Claims: map[string]any{"groups": "team-b-leads"}},
			"", &oidc.Identity{Subject: "s", Email: "e@x.org", EmailVerified: true,
				Groups: []string{"team-b-leads"}, Grants: []runway.RoleGrant{{Role: runway.RoleTeamLead, Team: "team-b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := oidctest.New(t)
			idp.SetUser(tt.user)
			cfg := config(idp)
			cfg.GroupsClaim = tt.groupsClaim
			got, err := signIn(t, idp, newProvider(t, cfg))
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthURL(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	cfg := config(idp)
	cfg.Scopes = []string{"email", "groups"}
	u, err := url.Parse(newProvider(t, cfg).AuthURL("the-state", "the-nonce", "the-verifier-0123456789-0123456789-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"response_type":         "code",
		"client_id":             idp.ClientID,
		"redirect_uri":          redirectURL,
		"state":                 "the-state",
		"nonce":                 "the-nonce",
		"scope":                 "openid email groups",
		"code_challenge_method": "S256",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if q.Get("code_challenge") == "" || strings.Contains(u.String(), "the-verifier") {
		t.Errorf("the URL must carry the S256 challenge and not the verifier: %s", u)
	}
	if u.Path != "/authorize" || !strings.HasPrefix(u.String(), idp.URL) {
		t.Errorf("the URL is not the discovered authorization endpoint: %s", u)
	}
}

func TestExpiryUsesInjectedClock(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	cfg := config(idp)
	cfg.Now = func() time.Time { return time.Now().Add(2 * idp.TokenLifetime) }
	_, err := signIn(t, idp, newProvider(t, cfg))
	wantRefusal(t, err, "the sign-in was refused: the identity token has expired (expiry); sign in again")
}

// wantRefusal checks err is an EUNAUTHORIZED refusal with message msg.
func wantRefusal(t *testing.T, err error, msg string) {
	t.Helper()
	if code := runway.ErrorCode(err); code != runway.EUNAUTHORIZED {
		t.Fatalf("code = %q (%v), want %q", code, err, runway.EUNAUTHORIZED)
	}
	if got := runway.ErrorMessage(err); got != msg {
		t.Errorf("message = %q\nwant      %q", got, msg)
	}
}

// Package oidc signs people in to Runway's web UI through an OpenID Connect
// identity provider (Keycloak, Dex, Okta, Entra ID, Google...) and maps the
// provider's groups to Runway roles and teams.
//
// The flow is the authorization code flow with PKCE (S256) and a nonce:
// the web layer makes a Flow with NewFlow, keeps it in a short-lived
// cookie, redirects to Provider.AuthURL, and on the callback hands the code
// to Provider.Exchange, which checks the ID token (signature against the
// provider's published keys, issuer, audience, expiry, nonce) and returns
// the Identity with its role grants. Every refusal is a *runway.Error with
// code EUNAUTHORIZED and a plain message that never repeats token contents.
//
// oidc wraps github.com/coreos/go-oidc/v3 and golang.org/x/oauth2. Of
// Runway it imports only the root package github.com/runwayhq/runway; it
// must not import stores, the web layer or other adapters.
package oidc

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// DefaultGroupsClaim is the ID token claim that lists a person's groups
// when Config.GroupsClaim is empty.
const DefaultGroupsClaim = "groups"

// DefaultScopes are the scopes requested when Config.Scopes is empty. Add
// "groups" when the provider sends groups only on request (Dex, Keycloak
// with a groups scope, Okta).
var DefaultScopes = []string{"openid", "email", "profile"}

// Config says which identity provider to trust and how its groups become
// Runway roles.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its discovery
	// document reports it. It must use https, except on a loopback host.
	Issuer string
	// ClientID and ClientSecret identify Runway at the provider. The
	// secret may be empty for a public client (PKCE protects the code).
	ClientID     string
	ClientSecret string
	// RedirectURL is Runway's callback URL registered at the provider.
	RedirectURL string
	// Scopes to request; DefaultScopes when empty. "openid" is always added.
	Scopes []string
	// GroupsClaim names the ID token claim with the person's groups;
	// DefaultGroupsClaim when empty. The name is taken literally, so a
	// namespaced claim such as "https://example.com/groups" works.
	GroupsClaim string
	// Mappings turn provider groups into role grants.
	Mappings []Mapping
	// HTTPClient talks to the provider; nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// Now tells the time for expiry checks; nil means time.Now.
	Now func() time.Time
}

// Mapping says that members of the provider group Group get Role, on Team
// when the role is held per team (developer, team-lead). Organisation roles
// (security, platform, admin) take no team.
type Mapping struct {
	Group string
	Role  runway.Role
	Team  string
}

// Validate reports every problem of the configuration in one EINVALID
// error that names the bad fields, or nil.
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p := checkIssuer(c.Issuer); p != "" {
		add("%s", p)
	}
	if strings.TrimSpace(c.ClientID) == "" {
		add("client_id is missing: set the client ID Runway is registered with at the identity provider")
	}
	if p := checkRedirect(c.RedirectURL); p != "" {
		add("%s", p)
	}
	if c.GroupsClaim != "" && strings.TrimSpace(c.GroupsClaim) != c.GroupsClaim {
		add("groups_claim %q has surrounding spaces: remove them", c.GroupsClaim)
	}
	for i, m := range c.Mappings {
		if p := m.check(); p != "" {
			add("mappings[%d] (group %q): %s", i, m.Group, p)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return runway.Errorf(runway.EINVALID, "the OIDC configuration is not valid: %s", strings.Join(problems, "; "))
}

// checkIssuer returns what is wrong with the issuer URL, or "".
func checkIssuer(issuer string) string {
	if issuer == "" {
		return "issuer is missing: set the identity provider's URL, e.g. https://login.example.com"
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Sprintf("issuer %q is not an absolute http(s) URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Sprintf("issuer %q must not have a query, fragment or user info", issuer)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Sprintf("issuer %q must use https (plain http is allowed only on localhost)", issuer)
	}
	return ""
}

// checkRedirect returns what is wrong with the redirect URL, or "".
func checkRedirect(redirect string) string {
	if redirect == "" {
		return "redirect_url is missing: set Runway's callback URL, e.g. https://runway.example.com/auth/callback"
	}
	u, err := url.Parse(redirect)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Sprintf("redirect_url %q is not an absolute http(s) URL", redirect)
	}
	if u.Fragment != "" {
		return fmt.Sprintf("redirect_url %q must not have a fragment", redirect)
	}
	return ""
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// check returns what is wrong with the mapping, or "".
func (m Mapping) check() string {
	switch {
	case strings.TrimSpace(m.Group) == "":
		return "group is missing"
	case !slices.Contains(runway.Roles, m.Role):
		return fmt.Sprintf("role %q is unknown: use one of %s", m.Role, roleList())
	case m.Role.TeamScoped() && strings.TrimSpace(m.Team) == "":
		return fmt.Sprintf("role %s is held per team: set team", m.Role)
	case !m.Role.TeamScoped() && m.Team != "":
		return fmt.Sprintf("role %s is an organisation role: remove team %q", m.Role, m.Team)
	}
	return ""
}

func roleList() string {
	names := make([]string, len(runway.Roles))
	for i, r := range runway.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Grants returns the role grants that members of groups get, without
// duplicates, sorted by role then team. Groups without a mapping are
// ignored; group names match exactly.
func (c Config) Grants(groups []string) []runway.RoleGrant {
	grants := []runway.RoleGrant{}
	for _, m := range c.Mappings {
		if !slices.Contains(groups, m.Group) {
			continue
		}
		g := runway.RoleGrant{Role: m.Role}
		if m.Role.TeamScoped() {
			g.Team = m.Team
		}
		if !slices.Contains(grants, g) {
			grants = append(grants, g)
		}
	}
	slices.SortFunc(grants, func(a, b runway.RoleGrant) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Team, b.Team))
	})
	return grants
}

// withDefaults returns c with empty optional fields filled in.
func (c Config) withDefaults() Config {
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	scopes := slices.Clone(c.Scopes)
	if len(scopes) == 0 {
		scopes = slices.Clone(DefaultScopes)
	}
	if !slices.Contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	c.Scopes = scopes
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

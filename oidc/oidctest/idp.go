// Package oidctest runs a small but real OpenID Connect identity provider
// on loopback for tests: discovery, a JSON Web Key Set, an authorization
// endpoint that signs in a configured user without a login page, and a
// token endpoint that checks the client, the code and PKCE and returns an
// RS256-signed ID token. Faults make it issue bad tokens on purpose.
//
// It is for tests only. Of Runway it imports only the root package
// github.com/runwayhq/runway (and today not even that); it must not import
// the oidc package it helps test.
package oidctest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// IdP is a running test identity provider.
type IdP struct {
	// URL is the issuer, also the base URL of every endpoint.
	URL string
	// ClientID and ClientSecret are the only client the IdP knows.
	ClientID     string
	ClientSecret string
	// TokenLifetime is how long issued ID tokens are valid.
	TokenLifetime time.Duration

	srv   *httptest.Server
	mu    sync.Mutex
	user  User
	fault Fault
	codes map[string]grant
}

// User is who signs in at the IdP, and the claims of their ID token.
type User struct {
	Subject       string
	Email         string
	Name          string
	EmailVerified bool
	Groups        []string // sent as the "groups" claim, omitted when nil
	// Claims are added to the ID token last, overriding the ones above;
	// a nil value removes the claim.
	Claims map[string]any
}

// grant is what the authorization endpoint remembers about a code.
type grant struct {
	redirectURI, nonce, challenge string
	user                          User
	fault                         Fault
}

// New starts an IdP on loopback that is shut down when the test ends. Its
// user is alice@example.com, verified, in no groups.
func New(t testing.TB) *IdP {
	t.Helper()
	p := &IdP{
		ClientID:      "runway",
		ClientSecret:  "runway-test-client-secret-0123456789",
		TokenLifetime: time.Hour,
		user:          User{Subject: "alice-0001", Email: "alice@example.com", Name: "Alice Example", EmailVerified: true},
		codes:         map[string]grant{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// SetUser sets who the next sign-ins are for.
func (p *IdP) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// SetFault makes the IdP issue bad ID tokens for the sign-ins that start
// from now on (NoFault to stop).
func (p *IdP) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// Authorize plays the browser: it follows authURL (the URL Runway would
// redirect to) and returns the code and state from the IdP's redirect back
// to the client. It fails the test if the IdP does not redirect.
func (p *IdP) Authorize(t testing.TB, authURL string) (code, state string) {
	t.Helper()
	c := p.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("oidctest: authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("oidctest: authorize: status %s, want a redirect", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("oidctest: authorize: bad redirect: %v", err)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func (p *IdP) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile", "groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *IdP) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, publicKeys())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Close shuts the IdP down before the test ends, to test a provider that
// stops answering. It is safe to call more than once.
func (p *IdP) Close() { p.srv.Close() }

package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/runwayhq/runway"
)

// Provider is a discovered identity provider Runway trusts for sign-in.
// It is safe for concurrent use.
type Provider struct {
	cfg    Config
	oauth  oauth2.Config
	strict *gooidc.IDTokenVerifier // decides whether a token is accepted
	// lenient checks only the signature; it explains why strict refused.
	lenient *gooidc.IDTokenVerifier
}

// Identity is a person the identity provider vouched for, with the role
// grants their groups give them.
type Identity struct {
	Subject       string // the provider's stable ID for the person
	Email         string
	Name          string
	EmailVerified bool // true only when the provider said so
	Groups        []string
	Grants        []runway.RoleGrant
}

// New validates cfg and discovers the provider at cfg.Issuer (its
// /.well-known/openid-configuration). It returns EINVALID for a bad
// configuration or an issuer that does not match the provider's own,
// and EUNAVAILABLE when discovery fails.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ctx = gooidc.ClientContext(ctx, cfg.HTTPClient)
	op, err := gooidc.NewProvider(ctx, cfg.Issuer)
	var mismatch *gooidc.IssuerMismatchError
	switch {
	case errors.As(err, &mismatch):
		return nil, &runway.Error{Code: runway.EINVALID, Err: err, Message: fmt.Sprintf(
			"the identity provider at %s calls itself %q: set issuer to exactly that", cfg.Issuer, mismatch.Discovered)}
	case err != nil:
		return nil, &runway.Error{Code: runway.EUNAVAILABLE, Err: err, Message: fmt.Sprintf(
			"cannot read the identity provider's discovery document at %s: check issuer and that the provider is reachable", cfg.Issuer)}
	}
	// Key fetches outlive any one request, so they get their own context;
	// it carries only the HTTP client.
	keyCtx := gooidc.ClientContext(context.Background(), cfg.HTTPClient)
	return &Provider{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     op.Endpoint(),
			Scopes:       cfg.Scopes,
		},
		strict: op.VerifierContext(keyCtx, &gooidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		lenient: op.VerifierContext(keyCtx, &gooidc.Config{
			SkipClientIDCheck: true, SkipIssuerCheck: true, SkipExpiryCheck: true}),
	}, nil
}

// AuthURL returns the provider URL to send the browser to. state, nonce and
// verifier come from a Flow (NewFlow); the URL carries the state, the nonce
// and the S256 challenge of the verifier, never the verifier itself.
func (p *Provider) AuthURL(state, nonce, verifier string) string {
	return p.oauth.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
}

// Exchange trades the code from the provider's redirect for tokens,
// verifies the ID token (signature against the provider's published keys,
// issuer, audience = client ID, expiry, and nonce) and returns who signed
// in. verifier and nonce are those of the Flow that started the sign-in;
// the caller has already checked the state. Refusals are EUNAUTHORIZED;
// EUNAVAILABLE means the provider could not be reached.
func (p *Provider) Exchange(ctx context.Context, code, verifier, nonce string) (*Identity, error) {
	if verifier == "" || nonce == "" {
		return nil, refuse(reasonNoSession)
	}
	if code == "" {
		return nil, refuse(reasonNoCode)
	}
	ctx = gooidc.ClientContext(ctx, p.cfg.HTTPClient)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, exchangeError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, refuse(reasonNoIDToken)
	}
	idt, err := p.strict.Verify(ctx, raw)
	if err != nil {
		return nil, refuse(p.explain(ctx, raw, err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, refuse(reasonNonce)
	}
	return p.identity(idt)
}

// identity reads the person from a verified ID token.
func (p *Provider) identity(idt *gooidc.IDToken) (*Identity, error) {
	var payload json.RawMessage
	if err := idt.Claims(&payload); err != nil {
		return nil, refuse(reasonMalformed)
	}
	c, err := decodeClaims(payload, p.cfg.GroupsClaim)
	if err != nil {
		return nil, refuse(reason(fmt.Sprintf("the identity token is malformed (%v)", err)))
	}
	switch {
	case c.Subject == "":
		return nil, refuse(reasonNoSubject)
	case c.Email == "":
		return nil, refuse(reasonNoEmail)
	case c.EmailVerified != nil && !*c.EmailVerified:
		return nil, refuse(reasonUnverified)
	}
	return &Identity{
		Subject:       c.Subject,
		Email:         c.Email,
		Name:          c.Name,
		EmailVerified: c.EmailVerified != nil && *c.EmailVerified,
		Groups:        c.Groups,
		Grants:        p.cfg.Grants(c.Groups),
	}, nil
}

// exchangeError turns a failed code exchange into a refusal when the
// provider answered no, and into EUNAVAILABLE when it did not answer. The
// provider's response body is never kept: it may echo request data.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return unavailable(err)
	}
	if re.Response.StatusCode >= 500 {
		return unavailable(fmt.Errorf("token endpoint: %s", re.Response.Status))
	}
	e := refuse(reasonCode)
	if re.ErrorCode != "" {
		e.Err = fmt.Errorf("token endpoint: %s", re.ErrorCode)
	}
	return e
}

func unavailable(cause error) *runway.Error {
	return &runway.Error{Code: runway.EUNAVAILABLE, Err: cause,
		Message: "the sign-in could not finish: the identity provider did not answer; try again in a moment"}
}

package oidc

import (
	"context"
	"errors"
	"slices"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/runwayhq/runway"
)

// reason says in plain words why a sign-in was refused. It names the check
// that failed (in parentheses) and never quotes token contents.
type reason string

// Reasons for refusing a sign-in.
const (
	reasonNoSession  reason = "the sign-in session is missing or has expired; start the sign-in again"
	reasonNoCode     reason = "the identity provider sent no sign-in code; start the sign-in again"
	reasonCode       reason = "the identity provider did not accept the sign-in code; start the sign-in again"
	reasonNoIDToken  reason = "the identity provider sent no identity token (id_token)"
	reasonMalformed  reason = "the identity token is malformed"
	reasonUnsigned   reason = "the identity token is not signed (alg none)"
	reasonAlg        reason = "the identity token is signed with an algorithm Runway does not accept (alg)"
	reasonSignature  reason = "the identity token's signature does not match the identity provider's keys (signature)"
	reasonIssuer     reason = "the identity token comes from another identity provider (issuer)"
	reasonAudience   reason = "the identity token is for another application (audience)"
	reasonExpired    reason = "the identity token has expired (expiry); sign in again"
	reasonNotYet     reason = "the identity token is not valid yet (not before); check the clocks of Runway and the identity provider"
	reasonNonce      reason = "the identity token does not belong to this sign-in (nonce); start the sign-in again"
	reasonNoSubject  reason = "the identity token names nobody (sub)"
	reasonNoEmail    reason = "the identity provider sent no email address (email); ask your administrator to request the email scope"
	reasonUnverified reason = "the identity provider has not verified your email address (email_verified); verify it there and sign in again"
)

// refuse returns the EUNAUTHORIZED error for a refused sign-in.
func refuse(r reason) *runway.Error {
	return runway.Errorf(runway.EUNAUTHORIZED, "the sign-in was refused: %s", r)
}

// explain says why the strict verifier refused raw. go-oidc reports most
// failures as plain text, so rather than reading its messages this checks
// the token again with signature-only verification: if that fails too, the
// signature (or the format) is the problem; if it passes, the verified
// claims show which check failed.
func (p *Provider) explain(ctx context.Context, raw string, err error) reason {
	var expired *gooidc.TokenExpiredError
	if errors.As(err, &expired) {
		return reasonExpired
	}
	t, lerr := p.lenient.Verify(ctx, raw)
	if lerr != nil {
		switch alg := tokenAlg(raw); {
		case alg == "":
			return reasonMalformed
		case alg == "none":
			return reasonUnsigned
		case !slices.Contains(acceptedAlgs, alg):
			return reasonAlg
		}
		return reasonSignature
	}
	switch {
	case t.Issuer != p.cfg.Issuer:
		return reasonIssuer
	case !slices.Contains(t.Audience, p.cfg.ClientID):
		return reasonAudience
	case t.Expiry.Before(p.cfg.Now()):
		return reasonExpired
	}
	// The remaining check go-oidc makes is "not before".
	return reasonNotYet
}

// acceptedAlgs are the signature algorithms go-oidc may accept: asymmetric
// ones only, so neither "none" nor an HMAC keyed with the client secret.
var acceptedAlgs = []string{
	gooidc.RS256, gooidc.RS384, gooidc.RS512,
	gooidc.ES256, gooidc.ES384, gooidc.ES512,
	gooidc.PS256, gooidc.PS384, gooidc.PS512, gooidc.EdDSA,
}

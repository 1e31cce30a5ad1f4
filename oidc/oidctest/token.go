package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Fault makes the IdP issue a bad ID token.
type Fault string

// Faults. Each breaks one thing about the ID token and keeps the rest
// right, so a test shows which check catches it.
const (
	NoFault       Fault = ""
	WrongAudience Fault = "wrong-audience" // aud is another client
	WrongIssuer   Fault = "wrong-issuer"   // iss is another provider
	WrongNonce    Fault = "wrong-nonce"    // nonce is not the one asked for
	Expired       Fault = "expired"        // exp is in the past
	NotYetValid   Fault = "not-yet-valid"  // nbf is an hour ahead
	Unsigned      Fault = "unsigned"       // alg "none", empty signature
	UnknownKey    Fault = "unknown-key"    // RS256 with a key not in the JWKS
	SymmetricKey  Fault = "symmetric-key"  // HS256 keyed with the client secret
)

// Key IDs of the published signing key and of the key nobody publishes.
const (
	KeyID        = "oidctest-1"
	UnknownKeyID = "oidctest-unknown"
)

// Keys are generated once per test binary: RSA generation is slow, and
// every IdP may share them.
var (
	keysOnce             sync.Once
	signingKey, rogueKey *rsa.PrivateKey
)

func rsaKeys() (signing, rogue *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if signingKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rogueKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return signingKey, rogueKey
}

// publicKeys is the JSON Web Key Set the IdP publishes.
func publicKeys() jose.JSONWebKeySet {
	signing, _ := rsaKeys()
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &signing.PublicKey, KeyID: KeyID, Algorithm: string(jose.RS256), Use: "sig"},
	}}
}

// idToken returns the signed ID token for a code, broken as g.fault says.
func (p *IdP) idToken(g grant, now time.Time) (string, error) {
	c := map[string]any{
		"iss":            p.URL,
		"sub":            g.user.Subject,
		"aud":            p.ClientID,
		"iat":            now.Unix(),
		"exp":            now.Add(p.TokenLifetime).Unix(),
		"nonce":          g.nonce,
		"email":          g.user.Email,
		"email_verified": g.user.EmailVerified,
		"name":           g.user.Name,
	}
	if g.user.Groups != nil {
		c["groups"] = g.user.Groups
	}
	for k, v := range g.user.Claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	switch g.fault {
	case WrongAudience:
		c["aud"] = "another-app"
	case WrongIssuer:
		c["iss"] = "https://issuer.invalid"
	case WrongNonce:
		c["nonce"] = "not-the-nonce-of-this-sign-in"
	case Expired:
		c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	case NotYetValid:
		c["nbf"] = now.Add(time.Hour).Unix()
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	return p.sign(payload, g.fault)
}

// sign signs payload with the published key, or as the fault says.
func (p *IdP) sign(payload []byte, fault Fault) (string, error) {
	signing, rogue := rsaKeys()
	key := jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: signing, KeyID: KeyID}}
	switch fault {
	case Unsigned:
		enc := base64.RawURLEncoding
		return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + ".", nil
	case UnknownKey:
		key.Key = jose.JSONWebKey{Key: rogue, KeyID: UnknownKeyID}
	case SymmetricKey:
		key = jose.SigningKey{Algorithm: jose.HS256, Key: []byte(p.ClientSecret)}
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("oidctest: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oidctest: sign: %w", err)
	}
	return jws.CompactSerialize()
}

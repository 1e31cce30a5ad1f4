package oidc

import (
	"crypto/rand"
	"encoding/base64"

	"golang.org/x/oauth2"
)

// Flow holds the one-time values of one sign-in. The web layer makes one
// with NewFlow before redirecting to the provider, keeps it in a
// short-lived, HTTP-only cookie, and on the callback checks State against
// the "state" query parameter before calling Provider.Exchange with
// Verifier and Nonce.
type Flow struct {
	State    string // binds the callback to this browser (CSRF)
	Nonce    string // binds the ID token to this sign-in (replay)
	Verifier string // PKCE code verifier; only its S256 hash leaves Runway
}

// NewFlow returns a Flow of fresh random values (256 bits each), URL-safe
// base64 without padding.
func NewFlow() Flow {
	return Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
}

func random() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	return base64.RawURLEncoding.EncodeToString(b[:])
}

package oidc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/oidc"
	"github.com/runwayhq/runway/oidc/oidctest"
)

const refused = "the sign-in was refused: "

func TestBadTokensAreRefused(t *testing.T) {
	t.Parallel()
	alice := oidctest.User{Subject: "alice-0001", Email: "alice@example.com", Name: "Alice", EmailVerified: true,
		Groups: []string{"platform-eng"}}
	tests := []struct {
		name  string
		fault oidctest.Fault
		user  *oidctest.User // nil: alice
		want  string
	}{
		{"wrong audience", oidctest.WrongAudience, nil, "the identity token is for another application (audience)"},
		{"wrong issuer", oidctest.WrongIssuer, nil, "the identity token comes from another identity provider (issuer)"},
		{"wrong nonce", oidctest.WrongNonce, nil, "the identity token does not belong to this sign-in (nonce); start the sign-in again"},
		{"expired", oidctest.Expired, nil, "the identity token has expired (expiry); sign in again"},
		{"not yet valid", oidctest.NotYetValid, nil, "the identity token is not valid yet (not before); check the clocks of Runway and the identity provider"},
		{"alg none", oidctest.Unsigned, nil, "the identity token is not signed (alg none)"},
		{"unknown key", oidctest.UnknownKey, nil, "the identity token's signature does not match the identity provider's keys (signature)"},
		{"HS256 with the client secret", oidctest.SymmetricKey, nil, "the identity token is signed with an algorithm Runway does not accept (alg)"},
		{"email not verified", oidctest.NoFault, &oidctest.User{Subject: "s", Email: "mallory@example.com", EmailVerified: false},
			"the identity provider has not verified your email address (email_verified); verify it there and sign in again"},
		{"email_verified \"false\"", oidctest.NoFault, &oidctest.User{Subject: "s", Email: "mallory@example.com",
			Claims: map[string]any{"email_verified": "false"}},
			"the identity provider has not verified your email address (email_verified); verify it there and sign in again"},
		{"no email", oidctest.NoFault, &oidctest.User{Subject: "s", EmailVerified: true, Claims: map[string]any{"email": nil}},
			"the identity provider sent no email address (email); ask your administrator to request the email scope"},
		{"no subject", oidctest.NoFault, &oidctest.User{Email: "e@example.com", EmailVerified: true, Claims: map[string]any{"sub": nil}},
			"the identity token names nobody (sub)"},
		{"groups not strings", oidctest.NoFault, &oidctest.User{Subject: "s", Email: "e@example.com", EmailVerified: true,
			Claims: map[string]any{"groups": map[string]any{"secret-group": 1}}},
			"the identity token is malformed (claim groups is not a list of strings)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idp := oidctest.New(t)
			u := alice
			if tt.user != nil {
				u = *tt.user
			}
			idp.SetUser(u)
			idp.SetFault(tt.fault)
			id, err := signIn(t, idp, newProvider(t, config(idp)))
			if id != nil {
				t.Errorf("got an identity for a bad sign-in: %+v", id)
			}
			wantRefusal(t, err, refused+tt.want)
			// Nothing from the token may reach the message or the log line.
			for _, leak := range []string{"eyJ", "another-app", "issuer.invalid", "not-the-nonce", "mallory", "secret-group", idp.URL} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the error %q repeats token contents (%q)", err, leak)
				}
			}
		})
	}
}

func TestBadExchangesAreRefused(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	p := newProvider(t, config(idp))
	ctx := context.Background()
	start := func() (oidc.Flow, string) {
		f := oidc.NewFlow()
		code, _ := idp.Authorize(t, p.AuthURL(f.State, f.Nonce, f.Verifier))
		return f, code
	}

	t.Run("wrong PKCE verifier", func(t *testing.T) {
		f, code := start()
		_, err := p.Exchange(ctx, code, oidc.NewFlow().Verifier, f.Nonce)
		wantRefusal(t, err, refused+"the identity provider did not accept the sign-in code; start the sign-in again")
	})
	t.Run("code used twice", func(t *testing.T) {
		f, code := start()
		if _, err := p.Exchange(ctx, code, f.Verifier, f.Nonce); err != nil {
			t.Fatalf("first exchange: %v", err)
		}
		_, err := p.Exchange(ctx, code, f.Verifier, f.Nonce)
		wantRefusal(t, err, refused+"the identity provider did not accept the sign-in code; start the sign-in again")
	})
	t.Run("nonce of another sign-in", func(t *testing.T) {
		f, code := start()
		_, err := p.Exchange(ctx, code, f.Verifier, oidc.NewFlow().Nonce)
		wantRefusal(t, err, refused+"the identity token does not belong to this sign-in (nonce); start the sign-in again")
	})
	t.Run("no session", func(t *testing.T) {
		_, code := start()
		_, err := p.Exchange(ctx, code, "", "")
		wantRefusal(t, err, refused+"the sign-in session is missing or has expired; start the sign-in again")
	})
	t.Run("no code", func(t *testing.T) {
		f := oidc.NewFlow()
		_, err := p.Exchange(ctx, "", f.Verifier, f.Nonce)
		wantRefusal(t, err, refused+"the identity provider sent no sign-in code; start the sign-in again")
	})
	t.Run("wrong client secret", func(t *testing.T) {
		cfg := config(idp)
		cfg.ClientSecret = "not-the-secret"
		q := newProvider(t, cfg)
		f := oidc.NewFlow()
		code, _ := idp.Authorize(t, q.AuthURL(f.State, f.Nonce, f.Verifier))
		_, err := q.Exchange(ctx, code, f.Verifier, f.Nonce)
		wantRefusal(t, err, refused+"the identity provider did not accept the sign-in code; start the sign-in again")
	})
}

func TestProviderDown(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	p := newProvider(t, config(idp))
	f := oidc.NewFlow()
	code, _ := idp.Authorize(t, p.AuthURL(f.State, f.Nonce, f.Verifier))
	idp.Close()
	_, err := p.Exchange(context.Background(), code, f.Verifier, f.Nonce)
	if code := runway.ErrorCode(err); code != runway.EUNAVAILABLE {
		t.Fatalf("code = %q (%v), want %q", code, err, runway.EUNAVAILABLE)
	}
}

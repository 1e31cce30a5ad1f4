package oidc

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestDecodeClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		claim   string
		want    claims
		wantErr string
	}{
		{"full", `{"sub":"s","email":"e@x","name":"N","email_verified":true,"groups":["a","b"]}`, "groups",
			claims{Subject: "s", Email: "e@x", Name: "N", EmailVerified: ptr(true), Groups: []string{"a", "b"}}, ""},
		{"minimal", `{"sub":"s"}`, "groups", claims{Subject: "s"}, ""},
		{"nulls", `{"sub":"s","email":null,"email_verified":null,"groups":null}`, "groups", claims{Subject: "s"}, ""},
		{"verified as string", `{"email_verified":"false"}`, "groups", claims{EmailVerified: ptr(false)}, ""},
		{"one group", `{"roles":"admins"}`, "roles", claims{Groups: []string{"admins"}}, ""},
		{"empty group names dropped", `{"groups":["", "a", null]}`, "groups", claims{Groups: []string{"a"}}, ""},
		{"other claim name ignored", `{"groups":["a"]}`, "roles", claims{}, ""},
		{"not an object", `["sub"]`, "groups", claims{}, "the payload is not a JSON object"},
		{"null payload", `null`, "groups", claims{}, "the payload is not a JSON object"},
		{"sub a number", `{"sub":42}`, "groups", claims{}, "claim sub is not a string"},
		{"verified a word", `{"email_verified":"yes"}`, "groups", claims{}, "claim email_verified is not a boolean"},
		{"groups of numbers", `{"groups":[1,2]}`, "groups", claims{}, "claim groups is not a list of strings"},
	}
	for _, tt := range tests {
		got, err := decodeClaims([]byte(tt.payload), tt.claim)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: claims (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestTokenAlg(t *testing.T) {
	t.Parallel()
	enc := base64.RawURLEncoding.EncodeToString
	for raw, want := range map[string]string{
		enc([]byte(`{"alg":"none"}`)) + ".e30.":               "none",
		enc([]byte(`{"alg":"RS256","kid":"k"}`)) + ".e30.sig": "RS256",
		"not-a-token":               "",
		"!!.e30.":                   "",
		enc([]byte(`[]`)) + ".e30.": "",
	} {
		if got := tokenAlg(raw); got != want {
			t.Errorf("tokenAlg(%q) = %q, want %q", raw, got, want)
		}
	}
}

// FuzzDecodeClaims feeds outside input (an ID token payload, a claim name
// from the configuration) to the claims decoder: it must never panic, and
// what it accepts must hold no empty group names and no quoted values in
// its errors.
func FuzzDecodeClaims(f *testing.F) {
	f.Add([]byte(`{"sub":"s","email":"e@x","email_verified":"true","groups":["a",""]}`), "groups")
	f.Add([]byte(`{"roles":"one"}`), "roles")
	f.Add([]byte(`{"groups":{"nested":["a"]}}`), "groups")
	f.Fuzz(func(t *testing.T, payload []byte, claim string) {
		c, err := decodeClaims(payload, claim)
		if err != nil {
			if strings.Contains(err.Error(), string(payload)) && len(payload) > 2 {
				t.Errorf("error %q quotes the payload", err)
			}
			return
		}
		for _, g := range c.Groups {
			if g == "" {
				t.Errorf("empty group name in %q", c.Groups)
			}
		}
		_ = tokenAlg(string(payload))
	})
}

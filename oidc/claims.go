package oidc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// claims are the parts of a verified ID token's payload Runway uses.
type claims struct {
	Subject       string
	Email         string
	Name          string
	EmailVerified *bool // nil when the provider does not say
	Groups        []string
}

// decodeClaims reads the claims Runway uses from an ID token payload.
// Providers differ: email_verified may be a boolean or the string "true" /
// "false" (Cognito), and the groups claim may be a list of strings or a
// single string. The error names the bad claim and never quotes its value.
func decodeClaims(payload []byte, groupsClaim string) (claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return claims{}, errors.New("the payload is not a JSON object")
	}
	var c claims
	for name, dst := range map[string]*string{"sub": &c.Subject, "email": &c.Email, "name": &c.Name} {
		if err := decodeString(raw[name], dst); err != nil {
			return claims{}, fmt.Errorf("claim %s is not a string", name)
		}
	}
	if v, ok := raw["email_verified"]; ok && !isNull(v) {
		b, err := decodeBool(v)
		if err != nil {
			return claims{}, errors.New("claim email_verified is not a boolean")
		}
		c.EmailVerified = &b
	}
	groups, err := decodeGroups(raw[groupsClaim])
	if err != nil {
		return claims{}, fmt.Errorf("claim %s is not a list of strings", groupsClaim)
	}
	c.Groups = groups
	return c, nil
}

func isNull(v json.RawMessage) bool { return strings.TrimSpace(string(v)) == "null" }

// decodeString sets dst from a JSON string; absent and null leave it empty.
func decodeString(v json.RawMessage, dst *string) error {
	if v == nil || isNull(v) {
		return nil
	}
	return json.Unmarshal(v, dst)
}

func decodeBool(v json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, errors.New("not a boolean")
}

// decodeGroups reads a list of strings or a single string; absent and null
// mean no groups. Empty names are dropped.
func decodeGroups(v json.RawMessage) ([]string, error) {
	if v == nil || isNull(v) {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil {
		var one string
		if json.Unmarshal(v, &one) != nil {
			return nil, err
		}
		list = []string{one}
	}
	groups := list[:0]
	for _, g := range list {
		if g != "" {
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// tokenAlg returns the "alg" of a compact JWS's protected header, or ""
// when the header cannot be read. It only explains refusals: it decides
// nothing about whether a token is accepted.
func tokenAlg(raw string) string {
	header, _, ok := strings.Cut(raw, ".")
	if !ok {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(header, "="))
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	return h.Alg
}

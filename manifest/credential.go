package manifest

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/runwayhq/runway/yamlfile"
)

// credentialPrefixes are the published prefixes of common API keys and
// tokens. A secret field starting with one holds a value, not a name.
var credentialPrefixes = []string{
	"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-", // Slack
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", // GitHub
	"glpat-",                                  // GitLab
	"sk-", "sk_live_", "sk_test_", "rk_live_", // OpenAI, Stripe
	"AIza", "ya29.", // Google
	"SG.",                 // SendGrid
	"eyJ",                 // a JSON Web Token
	"-----BEGIN",          // a PEM private key
	"https://", "http://", // a webhook URL carries its own token
}

// awsKeyID matches an AWS access key ID, which would otherwise pass as a
// name in capitals.
var awsKeyID = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)

// looksLikeCredential reports whether a secret field holds what looks like
// a credential, and a hint about why that never repeats the value.
func looksLikeCredential(s string) (why string, ok bool) {
	for _, p := range credentialPrefixes {
		if strings.HasPrefix(s, p) {
			return fmt.Sprintf("it starts with `%s`", p), true
		}
	}
	if awsKeyID.MatchString(s) {
		return "it has the form of an AWS access key", true
	}
	if namePattern.MatchString(s) {
		return "", false
	}
	if len(s) >= 16 && entropy(s) >= 3.5 {
		return fmt.Sprintf("it is a %d-character random-looking value", len(s)), true
	}
	return "", false
}

var namePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// entropy returns the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	n := float64(len([]rune(s)))
	h := 0.0
	for _, c := range counts {
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// credentialProblems finds integrations whose secret field holds a
// credential instead of its name.
func credentialProblems(doc *yamlfile.Document) []yamlfile.Problem {
	root, _ := doc.Value.(map[string]any)
	list, _ := root["integrations"].([]any)
	var out []yamlfile.Problem
	for i, item := range list {
		in, _ := item.(map[string]any)
		value, _ := in["secret"].(string)
		why, ok := looksLikeCredential(value)
		if !ok {
			continue
		}
		name := suggestedName(in["name"])
		ptr := fmt.Sprintf("/integrations/%d/secret", i)
		line, col := doc.Pos(ptr)
		out = append(out, yamlfile.Problem{
			Line: line, Column: col, Path: yamlfile.DisplayPath(ptr),
			Message: fmt.Sprintf("`secret` of integration %d looks like a real credential, not the name of one (%s)", i+1, why),
			Hint: strings.Join([]string{
				"A secret's value must never be written in runway.yaml: anyone who can read the code can use it.",
				"1. Treat it as leaked: revoke or rotate it now with the service that issued it.",
				fmt.Sprintf("2. Store the new value in the platform's secret store under a name such as %s (`runway secrets set APP %s`, or ask your platform team).", name, name),
				fmt.Sprintf("3. Write only the name here: `secret: %s`.", name),
				"4. Remove the old value from the Git history as well; your platform team can help.",
			}, "\n"),
		})
	}
	return out
}

// suggestedName proposes a secret name from an integration's name.
func suggestedName(v any) string {
	s, _ := v.(string)
	s = strings.Trim(regexp.MustCompile(`[^A-Z0-9]+`).ReplaceAllString(strings.ToUpper(s), "_"), "_")
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return "SERVICE_TOKEN"
	}
	return s + "_TOKEN"
}

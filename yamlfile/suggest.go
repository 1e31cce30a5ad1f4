package yamlfile

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/agnivade/levenshtein"
)

// closest returns the candidate nearest to word when it is near enough to
// be a likely typo ("intergrations" → "integrations"), or "".
func closest(word string, candidates []string) string {
	w := fold(word)
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(w, fold(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(2, len(w)/3) {
		return ""
	}
	return best
}

// fold makes spellings comparable: expectedUsers, Expected-Users and
// expected_users all fold to "expectedusers".
func fold(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
}

var (
	notSlug  = regexp.MustCompile(`[^a-z0-9]+`)
	notUpper = regexp.MustCompile(`[^A-Z0-9]+`)
)

// fixers each propose a corrected form of a value that failed a pattern;
// repair keeps the first proposal the pattern accepts.
var fixers = []func(string) string{
	// "https://slack.com/api" → "slack.com"
	func(s string) string {
		if !strings.Contains(s, "://") {
			return ""
		}
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		return u.Hostname()
	},
	// "Expense Approvals" → "expense-approvals"
	func(s string) string {
		return strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	},
	// "slack-token" → "SLACK_TOKEN"
	func(s string) string {
		return strings.Trim(notUpper.ReplaceAllString(strings.ToUpper(s), "_"), "_")
	},
	// "healthz" → "/healthz"
	func(s string) string {
		return "/" + strings.TrimLeft(s, "/")
	},
}

package secrets

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/runwayhq/runway"
)

// kinds name the secrets of rules whose ID does not read well on its own.
var kinds = map[string]string{
	"generic-api-key":         "password or secret key",
	"private-key":             "private key",
	"jwt":                     "login token (JWT)",
	"jwt-base64":              "login token (JWT)",
	"aws-access-token":        "AWS access key",
	"stripe-access-token":     "Stripe secret key",
	"slack-webhook-url":       "Slack webhook address",
	"curl-auth-header":        "password in a curl command",
	"curl-auth-user":          "password in a curl command",
	"kubernetes-secret-yaml":  "Kubernetes secret",
	"pkcs12-file":             "certificate file holding a private key",
	"nuget-config-password":   "NuGet feed password",
	"sidekiq-sensitive-url":   "Sidekiq address with a password",
	"hashicorp-tf-password":   "Terraform password",
	"gitlab-ptt":              "GitLab pipeline trigger token",
	"gitlab-rrt":              "GitLab runner registration token",
	"github-fine-grained-pat": "GitHub fine-grained personal access token",
}

// brands spell the services rule IDs start with, where capitalising the
// first letter is not enough. Longer prefixes are tried first.
var brands = map[string]string{
	"1password": "1Password", "age": "age", "alibaba": "Alibaba Cloud", "aws": "AWS",
	"aws-amazon-bedrock": "Amazon Bedrock", "azure-ad": "Azure AD", "cisco-meraki": "Cisco Meraki",
	"clickhouse-cloud": "ClickHouse Cloud", "defined-networking": "Defined Networking",
	"digitalocean": "DigitalOcean", "droneci": "Drone CI", "easypost": "EasyPost", "flyio": "Fly.io",
	"frameio": "Frame.io", "freshbooks": "FreshBooks", "gcp": "Google Cloud", "github": "GitHub",
	"gitlab": "GitLab", "gocardless": "GoCardless", "hashicorp-tf": "Terraform Cloud",
	"hubspot": "HubSpot", "huggingface": "Hugging Face", "intra42": "42 Intra", "jfrog": "JFrog",
	"kucoin": "KuCoin", "launchdarkly": "LaunchDarkly", "linkedin": "LinkedIn", "maxmind": "MaxMind",
	"messagebird": "MessageBird", "microsoft-teams": "Microsoft Teams", "new-relic": "New Relic",
	"npm": "npm", "nuget": "NuGet", "nytimes": "New York Times", "octopus-deploy": "Octopus Deploy",
	"openai": "OpenAI", "openshift": "OpenShift", "planetscale": "PlanetScale", "privateai": "Private AI",
	"pypi": "PyPI", "rapidapi": "RapidAPI", "readme": "ReadMe", "rubygems": "RubyGems",
	"sendgrid": "SendGrid", "settlemint": "SettleMint", "sumologic": "Sumo Logic", "travisci": "Travis CI",
}

// vague rules say how a value looks, not which service issued it.
var vague = map[string]bool{
	"generic-api-key": true, "private-key": true, "jwt": true, "jwt-base64": true, "curl-auth-header": true,
	"curl-auth-user": true, "kubernetes-secret-yaml": true, "pkcs12-file": true,
}

// words spell the other parts of rule IDs.
var words = map[string]string{
	"api": "API", "id": "ID", "pat": "personal access token", "oauth": "OAuth", "url": "address",
	"cicd": "CI/CD", "ca": "CA", "scim": "SCIM", "personnal": "personal", "pub": "public", "v2": "(v2)",
}

// service returns the name of the service a rule's secrets belong to and
// the rest of the rule ID, or "" for rules that name no service.
func service(rule string) (name, rest string) {
	if vague[rule] {
		return "", rule
	}
	parts := strings.Split(rule, "-")
	for n := min(3, len(parts)-1); n >= 1; n-- {
		if b, ok := brands[strings.Join(parts[:n], "-")]; ok {
			return b, strings.Join(parts[n:], "-")
		}
	}
	return capitalize(parts[0]), strings.Join(parts[1:], "-")
}

// kind names a rule's secret in plain words: "Slack bot token".
func kind(rule string) string {
	if k, ok := kinds[rule]; ok {
		return k
	}
	brand, rest := service(rule)
	out := []string{brand}
	for _, w := range strings.Split(rest, "-") {
		if s, ok := words[w]; ok {
			w = s
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.TrimSpace(strings.Join(out, " "))
}

// withArticle puts "a" or "an" before a name.
func withArticle(name string) string {
	if name == "" {
		return "a secret"
	}
	if strings.ContainsRune("aeiouAEIOU", rune(name[0])) && !strings.HasPrefix(name, "Uni") || strings.HasPrefix(name, "npm") {
		return "an " + name
	}
	return "a " + name
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// severity is critical for a live credential of a known service, high for
// the rest: values that only look like secrets, identifiers that are
// sensitive but not enough on their own, and test-mode keys.
func severity(rule, value string) runway.Severity {
	switch {
	case vague[rule], strings.HasSuffix(rule, "-id"), strings.Contains(rule, "-pub"), strings.Contains(rule, "public"),
		strings.Contains(rule, "-test-"), strings.Contains(value, "_test_"):
		return runway.SeverityHigh
	}
	return runway.SeverityCritical
}

// ruleNames are the secret-store names suggested for rules whose ID makes
// a poor one.
var ruleNames = map[string]string{
	"aws-access-token": "AWS_ACCESS_KEY_ID", "stripe-access-token": "STRIPE_SECRET_KEY",
	"private-key": "PRIVATE_KEY", "gcp-api-key": "GOOGLE_API_KEY", "generic-api-key": "APP_SECRET",
	"jwt": "APP_TOKEN", "jwt-base64": "APP_TOKEN", "curl-auth-header": "API_CREDENTIALS",
	"curl-auth-user": "API_CREDENTIALS", "kubernetes-secret-yaml": "APP_SECRET", "pkcs12-file": "CERTIFICATE",
}

// assignment finds the variable or key a value is given to at the end of
// the text before it: `apiKey = "`, `"password": "`, `export TOKEN=`.
// Letters beyond ASCII count as part of a name, so that a name holding
// them is refused whole rather than cut short.
var assignment = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.\-\x{80}-\x{10FFFF}])([A-Za-z0-9_\x{80}-\x{10FFFF}][A-Za-z0-9_.\-\x{80}-\x{10FFFF}]*)["'\x60]?[ \t]*(?:=|:=|:|=>|\?=)[ \t]*["'\x60]?[ \t]*$`)

// upperSnake matches names already written the way environment variables
// are, with at least two words.
var upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)

// secretName suggests the name to store a value under in the platform's
// secret store: the variable the code already gives it to when that names
// it well, else a name derived from the rule. It never echoes the value.
func secretName(rule, line, value string) string {
	if value != "" {
		if i := strings.Index(line, value); i > 0 {
			if m := assignment.FindStringSubmatch(line[max(0, i-200):i]); m != nil {
				ident := m[1][strings.LastIndexAny(m[1], ".")+1:]
				name := envName(ident)
				if name != "" && (vague[rule] || upperSnake.MatchString(ident)) && !overlaps(name, value) {
					return name
				}
			}
		}
	}
	if n, ok := ruleNames[rule]; ok {
		return n
	}
	if strings.HasPrefix(rule, "github-") {
		return "GITHUB_TOKEN"
	}
	if strings.HasPrefix(rule, "1password-") {
		return "OP_" + envName(strings.TrimPrefix(rule, "1password-"))
	}
	return envName(strings.ReplaceAll(rule, "personnal", "personal"))
}

// validName is the shape of every suggested secret-store name.
var validName = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,67}$`)

// bareWords are names too vague to stand alone in a secret store.
var bareWords = map[string]bool{"KEY": true, "TOKEN": true, "SECRET": true, "PASSWORD": true, "PASS": true,
	"PASSWD": true, "PWD": true, "AUTH": true, "API": true, "CREDENTIALS": true, "ACCESS": true, "CREDS": true}

// envName turns an identifier (camelCase, kebab-case, snake_case) into an
// environment variable name, or "" when it cannot make a valid one.
func envName(ident string) string {
	var b strings.Builder
	rs := []rune(ident)
	for i, r := range rs {
		switch {
		case r == '-' || r == '.' || r == '_' || r == ' ':
			b.WriteByte('_')
		case r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)):
			return ""
		default:
			if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
				(unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	name := strings.Trim(collapse(b.String()), "_")
	if name == "" || len(name) > 64 {
		return ""
	}
	if name[0] >= '0' && name[0] <= '9' || bareWords[name] {
		name = "APP_" + name
	}
	return name
}

// collapse replaces runs of underscores with one.
func collapse(s string) string {
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	return s
}

// overlaps reports whether name shares eight or more consecutive
// characters with value, ignoring case, and also once both lose their
// punctuation (envName inserts underscores): such a name would give part
// of the value away.
func overlaps(name, value string) bool {
	return shares(name, value) || shares(alnumOnly(name), alnumOnly(value))
}

func shares(s, value string) bool {
	s, value = strings.ToUpper(s), strings.ToUpper(value)
	for i := 0; i+8 <= len(value); i++ {
		if strings.Contains(s, value[i:i+8]) {
			return true
		}
	}
	return false
}

func alnumOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, s)
}

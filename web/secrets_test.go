package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// TestSecretScenarios: values go in and never come out, whoever asks and
// however a request fails.
func TestSecretScenarios(t *testing.T) {
	p := newPlatform(t)
	canary := "canary-" + runway.NewTokenSecret()
	var bodies []string
	steps := []struct {
		name, who, method, path string
		body                    any
		status                  int
		has, hasNot             []string
	}{
		{"set for staging", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN?environment=staging", canary + "\n", 200,
			[]string{`"name": "SLACK_BOT_TOKEN"`, `"env": "staging"`, `"version": 1`, `"updated_by": "user:team-lead@example.com"`}, nil},
		{"set again", "platform", "PUT", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN?environment=staging", canary + "-2", 200, []string{`"version": 2`}, nil},
		{"a developer may not set", "developer", "PUT", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN", canary, 403, []string{"team leads of the app's team, platform and admins"}, nil},
		{"security may not set", "security", "PUT", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN", canary, 403, nil, nil},
		{"a value as the name is not echoed", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/" + strings.ToLower(canary), canary, 400, []string{"not repeated here"}, nil},
		{"an unknown environment", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/API_KEY?environment=prod", canary, 400, []string{`environment \"prod\"`}, nil},
		{"too large", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/API_KEY", canary + strings.Repeat("x", 70<<10), 400, []string{"larger than 64 KiB"}, nil},
		{"empty", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/API_KEY", "", 400, []string{"is empty"}, nil},
		{"not text", "team-lead", "PUT", "/api/v1/apps/wiki/secrets/API_KEY", canary + "\x00", 400, []string{"not text"}, nil},
		{"an unknown app", "admin", "PUT", "/api/v1/apps/nope/secrets/API_KEY", canary, 404, nil, nil},
		{"list", "developer", "GET", "/api/v1/apps/wiki/secrets", nil, 200, []string{`"SLACK_BOT_TOKEN"`, `"OLD_TOKEN"`, `"version": 2`}, nil},
		{"list of another team", "developer", "GET", "/api/v1/apps/ledger/secrets", nil, 403, []string{"never their values"}, nil},
		{"security lists every team's", "security", "GET", "/api/v1/apps/ledger/secrets", nil, 200, []string{`"OLD_TOKEN"`}, nil},
		{"delete needs the environment it was set for", "team-lead", "DELETE", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN", nil, 404, []string{"for every environment"}, nil},
		{"delete", "team-lead", "DELETE", "/api/v1/apps/wiki/secrets/SLACK_BOT_TOKEN?environment=staging", nil, 204, nil, nil},
		{"gone", "developer", "GET", "/api/v1/apps/wiki/secrets", nil, 200, []string{`"OLD_TOKEN"`}, []string{"SLACK_BOT_TOKEN"}},
	}
	for _, st := range steps {
		r := p.do(t, p.tokens[st.who], st.method, st.path, st.body)
		bodies = append(bodies, r.body)
		if r.status != st.status {
			t.Fatalf("%s: %s as %s: status %d, want %d\n%s", st.name, st.method, st.who, r.status, st.status, r.body)
		}
		for _, s := range st.has {
			if !strings.Contains(r.body, s) {
				t.Errorf("%s: body lacks %s:\n%s", st.name, s, r.body)
			}
		}
		for _, s := range st.hasNot {
			if strings.Contains(r.body, s) {
				t.Errorf("%s: body has %s:\n%s", st.name, s, r.body)
			}
		}
	}
	// A JSON body would be stored braces and all: refused.
	req, _ := http.NewRequest("PUT", p.srv.URL+"/api/v1/apps/wiki/secrets/API_KEY", strings.NewReader(`{"value":"`+canary+`"}`))
	req.Header.Set("Authorization", "Bearer "+p.tokens["team-lead"])
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a JSON body: status %d, want 400", res.StatusCode)
	}
	audit := p.do(t, p.tokens["admin"], "GET", "/api/v1/audit?limit=1000", nil)
	if !strings.Contains(audit.body, `"action": "secret.set"`) || !strings.Contains(audit.body, `"subject": "secret:wiki/staging/SLACK_BOT_TOKEN"`) {
		t.Errorf("the audit trail lacks the secret's changes:\n%s", audit.body)
	}
	if logs := p.logs.String(); !strings.Contains(logs, `"msg":"secret set","secret":"wiki/staging/SLACK_BOT_TOKEN"`) || !strings.Contains(logs, `"path":"/api/v1/apps/wiki/secrets/{name}"`) {
		t.Errorf("the logs lack the secret's name or the redacted path:\n%s", logs)
	}
	for what, text := range map[string]string{"an answer": strings.Join(bodies, "\n"), "the audit trail": audit.body, "the logs": p.logs.String()} {
		if strings.Contains(text, canary) || strings.Contains(text, p.canary) {
			t.Errorf("a secret's value appears in %s", what)
		}
	}
}

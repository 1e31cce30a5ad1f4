package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestFlagScenarios drives the flag routes as their users do, in order:
// each step may depend on the ones before.
func TestFlagScenarios(t *testing.T) {
	p := newPlatform(t)
	newFlag := map[string]any{"key": "new-search", "type": "boolean", "description": "the new search page"}
	steps := []struct {
		name, who, method, path string
		body                    any
		status                  int
		has, hasNot             []string
	}{
		{"create in staging and production", "developer", "POST", "/api/v1/apps/wiki/flags?environment=staging&environment=production", newFlag, 201,
			[]string{`"environment": "staging"`, `"environment": "production"`, `"updated_by": "user:developer@example.com"`}, nil},
		{"production starts off", "developer", "GET", "/api/v1/apps/wiki/flags/production/new-search", nil, 200, []string{`"enabled": false`, `"version": 1`}, nil},
		{"staging starts on", "no role", "GET", "/api/v1/apps/wiki/flags/staging/new-search", nil, 200, []string{`"enabled": true`}, nil},
		{"exists already", "developer", "POST", "/api/v1/apps/wiki/flags?environment=staging", newFlag, 409, nil, nil},
		{"unknown field", "developer", "POST", "/api/v1/apps/wiki/flags", map[string]any{"key": "x", "type": "boolean", "colour": "red"}, 400, []string{`unknown field \"colour\"`}, nil},
		{"bad definition", "developer", "POST", "/api/v1/apps/wiki/flags", map[string]any{"key": "1x", "type": "colour"}, 400, []string{`key \"1x\"`, `type \"colour\"`}, nil},
		{"list one environment", "no role", "GET", "/api/v1/apps/wiki/flags?environment=production", nil, 200, []string{`"new-search"`, `"checkout"`}, []string{`"environment": "staging"`}},
		{"a developer may not turn production on", "developer", "POST", "/api/v1/apps/wiki/flags/production/new-search/on", nil, 403, []string{"only team leads of the app's team and admins"}, nil},
		{"the team lead may", "team-lead", "POST", "/api/v1/apps/wiki/flags/production/new-search/on", nil, 200, []string{`"enabled": true`, `"version": 2`}, nil},
		{"update needs the version", "developer", "PUT", "/api/v1/apps/wiki/flags/staging/new-search", map[string]any{"description": "v2"}, 400, []string{"?version=N"}, nil},
		{"update", "developer", "PUT", "/api/v1/apps/wiki/flags/staging/new-search?version=1", map[string]any{"description": "v2"}, 200, []string{`"description": "v2"`, `"version": 2`, `"enabled": true`}, nil},
		{"a stale update", "developer", "PUT", "/api/v1/apps/wiki/flags/staging/new-search?version=1", map[string]any{"description": "v3"}, 409, nil, nil},
		{"the type stays", "developer", "PUT", "/api/v1/apps/wiki/flags/staging/new-search?version=2", map[string]any{"type": "string"}, 400, []string{"stays one"}, nil},
		{"try it", "no role", "POST", "/api/v1/apps/wiki/flags/staging/new-search/evaluate", map[string]any{"context": map[string]any{"targetingKey": "ana"}}, 200,
			[]string{`"value": true`, `"reason": "STATIC"`, `"variant": "on"`}, nil},
		{"try a bad context", "no role", "POST", "/api/v1/apps/wiki/flags/staging/new-search/evaluate", map[string]any{"context": []int{1}}, 400, []string{"INVALID_CONTEXT"}, nil},
		{"try an unknown flag", "no role", "POST", "/api/v1/apps/wiki/flags/staging/nope/evaluate", nil, 200, []string{`"errorCode": "FLAG_NOT_FOUND"`}, nil},
		{"kill needs a reason", "security", "POST", "/api/v1/apps/wiki/flags/production/new-search/kill", map[string]string{}, 400, []string{"say why"}, nil},
		{"security kills it", "security", "POST", "/api/v1/apps/wiki/flags/production/new-search/kill", map[string]string{"reason": "search leaks drafts"}, 200,
			[]string{`"enabled": false`, `"reason": "search leaks drafts"`, `"by": "user:security@example.com"`}, nil},
		{"history", "no role", "GET", "/api/v1/apps/wiki/flags/production/new-search/history", nil, 200, []string{`"action": "flag.create"`, `"action": "flag.kill"`}, nil},
		{"a group", "developer", "PUT", "/api/v1/apps/wiki/flag-groups/staff", map[string]any{"conditions": []map[string]any{{"attribute": "email", "op": "ends_with", "values": []string{"@example.com"}}}}, 200,
			[]string{`"name": "staff"`, `"app": "wiki"`}, nil},
		{"the group", "no role", "GET", "/api/v1/apps/wiki/flag-groups/staff", nil, 200, []string{`"ends_with"`}, nil},
		{"no such group", "no role", "GET", "/api/v1/apps/wiki/flag-groups/nobody", nil, 404, []string{`no flag group \"nobody\"`}, nil},
		{"a key", "developer", "POST", "/api/v1/apps/wiki/flag-keys", map[string]string{"environment": "staging", "name": "web server"}, 201,
			[]string{`"secret": "rwf_`, "only time the flag key is shown"}, nil},
		{"a production key takes a team lead", "developer", "POST", "/api/v1/apps/wiki/flag-keys", map[string]string{"environment": "production", "name": "web server"}, 403, nil, nil},
		{"keys never show secrets", "security", "GET", "/api/v1/apps/wiki/flag-keys", nil, 200, []string{`"hint": "rwf_`}, []string{`"secret"`}},
		{"keys of another team", "developer", "GET", "/api/v1/apps/ledger/flag-keys", nil, 403, []string{"members of the app's team"}, nil},
		{"revoke a key", "developer", "DELETE", "/api/v1/apps/wiki/flag-keys/" + fmt.Sprint(p.flagKeys["wiki"]), nil, 204, nil, nil},
		{"a key of another app", "developer", "DELETE", "/api/v1/apps/wiki/flag-keys/999", nil, 404, nil, nil},
	}
	for _, st := range steps {
		r := p.do(t, p.tokens[st.who], st.method, st.path, st.body)
		if r.status != st.status {
			t.Fatalf("%s: %s %s as %s: status %d, want %d\n%s", st.name, st.method, st.path, st.who, r.status, st.status, r.body)
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
	// Each change of the production flag is audited: create, on, kill.
	r := p.do(t, p.tokens["admin"], "GET", "/api/v1/audit?subject=flag:wiki/production/new-search", nil)
	var l struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(r.body), &l); err != nil || len(l.Items) != 3 {
		t.Fatalf("the production flag's audit trail: %v %d\n%s", err, len(l.Items), r.body)
	}
}

package opa

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
)

// TestConnectorInput: the connector facts a check reports as
// details.connector are input.connector, which an organisation's policy
// can judge; other apps have input.connector null.
func TestConnectorInput(t *testing.T) {
	t.Parallel()
	dir := writePolicies(t, map[string]string{"connectors.rego": `package acme.connectors

deny contains sprintf("connectors may not run SQL in production (%s)", [concat(", ", input.connector.hosts)]) if {
	"postgres.query" in input.connector.actions
	input.environment == "production"
}
`})
	e := newEngine(t, Options{Policies: []string{dir}})
	facts := map[string]any{
		"trigger": map[string]any{"kind": "http", "method": "POST", "path": "/orders"},
		"actions": []any{"postgres.query", "respond"}, "steps": 2,
		"integrations": []any{"orders-db"}, "hosts": []any{"10.1.2.3"}, "dynamic_urls": false,
	}
	m := teamApp()
	m.Integrations = append(m.Integrations, runway.Integration{Name: "orders-db", Host: "10.1.2.3", RequiresSecret: true, Secret: "DATABASE_URL"})
	r := cleanReport()
	r.Checks[2].Details = map[string]any{"connector": facts, "outbound_hosts": []string{"10.1.2.3"}}
	if err := e.Decide(context.Background(), workspace(t, m, smallInventory()), r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"deny acme.connectors.deny"}, denyRules(r.Findings)); diff != "" {
		t.Errorf("denies (-want +got):\n%s", diff)
	}
	in := buildInput(workspace(t, m, nil), r, "production", nil, now)
	if in.Connector["hosts"].([]any)[0] != "10.1.2.3" {
		t.Errorf("input.connector = %v", in.Connector)
	}

	plain := cleanReport()
	if err := e.Decide(context.Background(), workspace(t, teamApp(), smallInventory()), plain); err != nil {
		t.Fatal(err)
	}
	if len(denyRules(plain.Findings)) != 0 || buildInput(workspace(t, teamApp(), nil), plain, "production", nil, now).Connector != nil {
		t.Errorf("an app without a connector: denies %v", denyRules(plain.Findings))
	}
}

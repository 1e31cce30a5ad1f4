package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// TestConnectorTemplatePassesItsOwnCheck is the first promise:
// `runway new connector ... && runway check` passes, with the connector's
// examples run as its test check, and needs only a team lead.
func TestConnectorTemplatePassesItsOwnCheck(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "c")
	if r := cli(t, "", "new", "connector", dir, "--name", "form-to-slack", "--owner", "ops", "--yes"); r.code != exitOK {
		t.Fatalf("new: exit %d\n%s", r.code, r.stderr)
	}
	r := cli(t, "", "check", dir, "--format", "json", "--quiet", "--vuln-db", vulnDB(t))
	rep := decode(t, r.stdout)
	if r.code != exitOK || rep.Decision != runway.DecisionNeedsApproval || rep.Tier != 2 || len(rep.Findings) != 0 {
		t.Fatalf("exit %d, decision %s, tier %d, findings %v\n%s", r.code, rep.Decision, rep.Tier, rep.Findings, r.stderr)
	}
	for _, c := range rep.Checks {
		want := runway.StatusPass
		if c.Name == "build" {
			want = runway.StatusSkipped
		}
		if c.Status != want {
			t.Errorf("check %s is %s: %s", c.Name, c.Status, c.Summary)
		}
		if c.Name == "test" && c.Summary != "3 examples passed (connector examples, against recording stubs)." {
			t.Errorf("test check: %s", c.Summary)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, ".runway", "policy-input.json"))
	var input struct {
		Connector struct {
			Actions []string `json:"actions"`
			Hosts   []string `json:"hosts"`
		} `json:"connector"`
	}
	if err != nil || json.Unmarshal(data, &input) != nil || fmt.Sprint(input.Connector.Actions, input.Connector.Hosts) != "[slack.post_message] [hooks.slack.com]" {
		t.Errorf("policy input: input.connector = %+v (%v)", input.Connector, err)
	}
}

// TestConnectorTestCommand: `runway connector test` says which example
// fails and why, and exits 1; `runway check` blocks on it.
func TestConnectorTestCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "c")
	cli(t, "", "new", "connector", dir, "--name", "form-to-slack", "--owner", "ops", "--yes")
	r := cli(t, "", "connector", "test", dir)
	if r.code != exitOK || !strings.HasSuffix(r.stdout, "3 passed, 0 failed\n") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	conn := filepath.Join(dir, "connector.yaml")
	data, _ := os.ReadFile(conn)
	os.WriteFile(conn, []byte(strings.Replace(string(data), "New message from", "Message from", 1)), 0o644)
	r = cli(t, "", "connector", "test", dir)
	for _, want := range []string{"FAIL  tests/posts-to-slack.yaml", "the body field `text` is \"Message from Ada Lovelace", "2 passed, 1 failed"} {
		if r.code != exitBlocked || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", r.code, want, r.stdout)
		}
	}
	r = cli(t, "", "check", dir, "--quiet", "--color", "never", "--vuln-db", vulnDB(t))
	if r.code != exitBlocked || !strings.Contains(r.stdout, "Example tests/posts-to-slack.yaml fails") {
		t.Errorf("check: exit %d\n%s", r.code, r.stdout)
	}
	os.WriteFile(conn, []byte(strings.Replace(string(data), "request.body.name }}", "request.body.nmae }}", 1)), 0o644)
	r = cli(t, "", "connector", "test", dir)
	want := "connector.yaml:41:13: step `notify`, field `text`: `request.body.nmae` is not a field; did you mean `name`?"
	if r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
	}
}

// TestSchemaConnector: `runway schema connector` prints the committed
// schema, for editors.
func TestSchemaConnector(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("../../schema/connector.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "", "schema", "connector"); r.code != exitOK || r.stdout != string(want) {
		t.Errorf("exit %d; output differs from schema/connector.schema.json", r.code)
	}
}

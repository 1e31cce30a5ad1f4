package connector

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/runwayhq/runway"
)

// command is a stand-in for the gate's command checks.
type command struct{ name string }

func (c command) Name() string    { return c.name }
func (c command) Needs() []string { return nil }
func (c command) Run(context.Context, *runway.Workspace, io.Writer) runway.CheckOutcome {
	return runway.CheckOutcome{Status: runway.StatusPass, Summary: "`" + c.name + "` ran."}
}

// TestStep: for an app without connector.yaml the gate's steps are the
// command checks; for a connector, lint explains its problems where they
// are, test waits for them to be fixed, and a declared command runs too.
func TestStep(t *testing.T) {
	t.Parallel()
	run := func(dir, name string, m *runway.Manifest) runway.CheckOutcome {
		return Step(command{name}).Run(context.Background(), &runway.Workspace{Dir: dir, Manifest: m}, io.Discard)
	}
	plain := t.TempDir()
	if out := run(plain, "lint", app()); out.Summary != "`lint` ran." {
		t.Errorf("an app without connector.yaml: %+v", out)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, File), []byte("trigger: {http: {path: /x}}\nsteps:\n  - id: a\n    slack.post_message: {text: \"${{ request.body.x }}\"}\n"), 0o644)
	lint := run(dir, "lint", app())
	if lint.Status != runway.StatusFail || len(lint.Findings) != 1 || lint.Findings[0].Line != 4 || lint.Findings[0].File != File {
		t.Fatalf("lint: %+v", lint)
	}
	if f := lint.Findings[0]; f.Kind != runway.KindLint || !f.Blocking || f.Message != "step `a` uses integration `slack`, which runway.yaml does not declare" {
		t.Errorf("finding: %+v", f)
	}
	if test := run(dir, "test", app()); test.Status != runway.StatusSkipped {
		t.Errorf("test with a broken connector: %+v", test)
	}
	m := app(integration("slack", "hooks.slack.com", "SLACK_WEBHOOK_URL"))
	if test := run(dir, "test", m); test.Status != runway.StatusSkipped || test.Summary != "The connector has no examples: add one to tests/ (README.md shows how)." {
		t.Errorf("test without examples: %+v", test)
	}
	m.Run.Lint = "yamllint ."
	lint = run(dir, "lint", m)
	if lint.Status != runway.StatusPass || lint.Summary != "`lint` ran. connector.yaml is valid: 1 step, every expression type-checked." {
		t.Errorf("lint with a declared command: %+v", lint)
	}
	facts, _ := lint.Details["connector"].(Facts)
	if facts.Trigger.Kind != "http" || len(lint.Details["outbound_hosts"].([]string)) != 1 {
		t.Errorf("details: %+v", lint.Details)
	}
	if build := run(dir, "build", m); build.Status != runway.StatusSkipped {
		t.Errorf("build: %+v", build)
	}
}

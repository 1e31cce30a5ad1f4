package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// cli runs one command line through the real entry point with the test's
// environment (minus Runway's variables and any user config) and returns
// what it printed and its exit code.
type result struct {
	stdout, stderr string
	code           int
}

func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return cliTerminal(t, false, stdin, args...)
}

func cliTerminal(t *testing.T, terminal bool, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdio:    stdio{in: strings.NewReader(stdin), out: &out, err: &errb},
		environ:  testEnviron(t),
		terminal: func(any) bool { return terminal },
	}
	code := a.execute(context.Background(), args)
	return result{out.String(), errb.String(), code}
}

// testEnviron is the process environment without RUNWAY_* and with a
// config folder of the test's own, so a developer's settings do not leak in.
func testEnviron(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RUNWAY_") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") && !strings.HasPrefix(kv, "GITHUB_STEP_SUMMARY=") {
			env = append(env, kv)
		}
	}
	return append(env, "XDG_CONFIG_HOME="+t.TempDir())
}

func decode(t *testing.T, data string) runway.Report {
	t.Helper()
	var r runway.Report
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	return r
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	existing := t.TempDir()
	os.WriteFile(filepath.Join(existing, "README.md"), []byte("mine\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"chek"}, exitUsage, "unknown command"},
		{"unknown flag", []string{"check", "--formt", "json"}, exitUsage, "unknown flag: --formt"},
		{"bad format", []string{"check", "--format", "xml", "."}, exitUsage, "text, json, markdown, sarif"},
		{"bad colour", []string{"check", "--color", "blue", "."}, exitUsage, "auto, always, never"},
		{"not a folder", []string{"check", filepath.Join(existing, "nope")}, exitUsage, "is not a folder"},
		{"two folders", []string{"check", "a", "b"}, exitUsage, "takes one folder"},
		{"new without args", []string{"new"}, exitUsage, "expects a template and a folder"},
		{"unknown template", []string{"new", "php-app", t.TempDir(), "--owner", "web", "--yes"}, exitUsage, "node-api"},
		{"new without owner", []string{"new", "node-api", t.TempDir(), "--yes"}, exitUsage, "--owner"},
		{"new without audience or yes", []string{"new", "node-api", t.TempDir(), "--owner", "web"}, exitUsage, "--yes"},
		{"new with a bad name", []string{"new", "node-api", t.TempDir(), "--name", "Expense Approvals", "--owner", "web", "--yes"}, exitUsage, "did you mean `expense-approvals`"},
		{"new never overwrites", []string{"new", "node-api", existing, "--name", "x", "--owner", "web", "--yes"}, exitUsage, "README.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := cli(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d containing %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
	if data, _ := os.ReadFile(filepath.Join(existing, "README.md")); string(data) != "mine\n" {
		t.Errorf("an existing file was overwritten: %q", data)
	}
}

// TestSchemaCommand: `runway schema` prints exactly the committed schema.
func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("../../schema/runway.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "schema")
	if r.code != 0 || r.stdout != string(want) {
		t.Errorf("exit %d; output differs from schema/runway.schema.json", r.code)
	}
}

func TestTemplatesCommand(t *testing.T) {
	t.Parallel()
	r := cli(t, "", "templates")
	for _, want := range []string{"static-site@1", "node-api@1", "go-api@1"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, output lacks %s:\n%s", r.code, want, r.stdout)
		}
	}
	r = cli(t, "", "templates", "--output", "json")
	var list []struct{ Ref, Description string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) < 3 {
		t.Errorf("json listing: %v\n%s", err, r.stdout)
	}
}

// TestNewAsksOnATerminal answers the interview like a person would,
// including a wrong answer that is asked again.
func TestNewAsksOnATerminal(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "expense-approvals")
	answers := strings.Join([]string{
		"",              // name: accept the folder's name
		"finance",       // owner
		"everyone",      // audience: not a choice, asked again
		"team",          // audience
		"internal, pii", // data
	}, "\n") + "\n"
	r := cliTerminal(t, true, answers, "new", "node-api", dir)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Only you use it", "Personal data about people", "Please answer one of", "Next steps"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "runway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: expense-approvals", "owner: finance", "audience: team", "pii", "risk: high"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("runway.yaml lacks %q:\n%s", want, data)
		}
	}
}

// scaffold creates an app from a template through the CLI.
func scaffold(t *testing.T, template, dir string) {
	t.Helper()
	r := cli(t, "", "new", template, dir, "--name", "demo", "--owner", "web", "--yes")
	if r.code != 0 {
		t.Fatalf("runway new %s: exit %d\n%s", template, r.code, r.stderr)
	}
	for _, want := range []string{"Next steps", "runway check", "README.md"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("runway new output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestTemplatesPassTheirOwnCheck is the promise of a curated template: it
// scaffolds and passes `runway check` with its real build, lint and tests,
// raises no finding, and, as a team app (tier 2), needs only a team lead's
// approval to go to production.
func TestTemplatesPassTheirOwnCheck(t *testing.T) {
	t.Parallel()
	for _, template := range []string{"static-site", "node-api", "go-api"} {
		t.Run(template, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "demo")
			scaffold(t, template, dir)
			r := cli(t, "", "check", dir, "--format", "json", "--quiet", "--vuln-db", vulnDB(t))
			rep := decode(t, r.stdout)
			if r.code != exitOK || rep.Decision != runway.DecisionNeedsApproval || rep.Tier != 2 {
				t.Fatalf("exit %d, decision %s, tier %d\n%s\n%s", r.code, rep.Decision, rep.Tier, r.stdout, r.stderr)
			}
			if len(rep.ApprovalsRequired) != 1 || rep.ApprovalsRequired[0] != runway.RoleTeamLead {
				t.Errorf("approvals = %v, want [team-lead]", rep.ApprovalsRequired)
			}
			var commands int64
			for _, c := range rep.Checks {
				if c.Status != runway.StatusPass {
					t.Errorf("check %s is %s: %s", c.Name, c.Status, c.Summary)
				}
				if c.Name == "build" || c.Name == "lint" || c.Name == "test" {
					commands += c.DurationMS
				}
			}
			if len(rep.Findings) != 0 {
				t.Errorf("a template raises findings: %+v", rep.Findings)
			}
			for _, f := range []string{"report.json", "report.sarif", "report.md", "codequality.json", "sbom.cdx.json", "sbom.spdx.json", "policy-input.json"} {
				if _, err := os.Stat(filepath.Join(dir, ".runway", f)); err != nil {
					t.Errorf("artifact missing: %v", err)
				}
			}
			t.Logf("%s: runway check took %d ms; the commands' own durations add up to %d ms", template, rep.DurationMS, commands)
		})
	}
}

// TestBrokenAppsAreBlocked breaks a scaffolded node-api app in the ways a
// citizen developer would and expects exit 1 with a message they can act
// on. The app is built once and copied for each case.
func TestBrokenAppsAreBlocked(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "demo")
	scaffold(t, "node-api", base)
	if r := cli(t, "", "check", base, "--quiet", "--format", "json", "--vuln-db", vulnDB(t)); r.code != exitOK {
		t.Fatalf("the unbroken app does not pass: exit %d\n%s", r.code, r.stdout)
	}
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string
	}{
		{"failing test", func(t *testing.T, dir string) {
			appendTo(t, filepath.Join(dir, "test", "broken.test.js"),
				"const test = require('node:test');\nconst assert = require('node:assert');\ntest('adds up', () => { assert.strictEqual(1 + 1, 3); });\n")
		}, []string{"Some tests fail", "Fix failing tests", "npm test"}},
		{"lint error", func(t *testing.T, dir string) {
			appendTo(t, filepath.Join(dir, "app", "unused.js"), "const neverUsed = 42;\n")
		}, []string{"The linter found problems", "Fix lint problems", "neverUsed"}},
		{"bad manifest", func(t *testing.T, dir string) {
			appendTo(t, filepath.Join(dir, "runway.yaml"), "intergrations: []\n")
		}, []string{"unknown key `intergrations` — did you mean `integrations`?", "Correct runway.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "demo")
			if out, err := exec.Command("cp", "-a", base, dir).CombinedOutput(); err != nil {
				t.Fatalf("copy: %v\n%s", err, out)
			}
			tt.break_(t, dir)
			r := cli(t, "", "check", dir, "--quiet", "--color", "never", "--vuln-db", vulnDB(t))
			if r.code != exitBlocked {
				t.Fatalf("exit %d, want %d:\n%s%s", r.code, exitBlocked, r.stdout, r.stderr)
			}
			for _, want := range append(tt.want, "Blocked") {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

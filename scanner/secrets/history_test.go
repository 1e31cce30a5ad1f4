package secrets

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// removedKeyRepo makes a repository where a Slack token was committed in
// config.js and then replaced by a reference to the environment.
func removedKeyRepo(t *testing.T) (dir, added string) {
	t.Helper()
	dir = t.TempDir()
	gitInit(t, dir)
	write(t, dir, "README.md", "# Expense approvals\n")
	commit(t, dir, "Start the app")
	write(t, dir, "config.js", "module.exports = {\n  port: 3000,\n  slackToken: \""+fakeValues()["SLACK_BOT_TOKEN"]+"\",\n};\n")
	added = commit(t, dir, "Post approvals to Slack")
	write(t, dir, "config.js", "module.exports = {\n  port: 3000,\n  slackToken: process.env.SLACK_BOT_TOKEN,\n};\n")
	commit(t, dir, "Read the Slack token from the environment")
	return dir, added
}

func TestHistoryFindsRemovedKey(t *testing.T) {
	t.Parallel()
	dir, added := removedKeyRepo(t)

	out, _ := run(t, dir, Options{})
	if out.Status != runway.StatusPass || len(out.Findings) != 0 {
		t.Fatalf("the working tree has no key any more, got %s %q", out.Status, out.Summary)
	}

	out, log := run(t, dir, Options{History: true})
	if out.Status != runway.StatusFail || out.Summary != "1 secret found in 1 file (1 only in the git history)." {
		t.Fatalf("got %s %q, log:\n%s", out.Status, out.Summary, log)
	}
	wantDetails := map[string]any{"files_scanned": 2, "rules": len(mustRules(t).Rules), "commits_scanned": 3, "history_shallow": false}
	if diff := cmp.Diff(wantDetails, out.Details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	f := out.Findings[0]
	if f.File != "config.js" || f.Line != 3 || f.Rule != "slack-bot-token" || !strings.Contains(f.Message, "Commit "+added[:7]+" added") {
		t.Errorf("finding does not point at commit %s, config.js line 3:\n%s", added[:7], findingsJSON(t, out.Findings))
	}
	runwaytest.Golden(t, "testdata/history.findings.golden.json", findingsJSON(t, out.Findings))
}

func TestHistoryKeyStillInTreeReportedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gitInit(t, dir)
	write(t, dir, "app.js", leakLine())
	commit(t, dir, "Add the app")
	write(t, dir, "app.js", "// moved down\n"+leakLine())
	commit(t, dir, "Move it")
	out, _ := run(t, dir, Options{History: true})
	if len(out.Findings) != 1 || out.Findings[0].Line != 2 || strings.Contains(out.Findings[0].Title, "history") {
		t.Errorf("want one working-tree finding on line 2, got:\n%s", findingsJSON(t, out.Findings))
	}
	if out.Summary != "1 secret found in 1 file." {
		t.Errorf("summary = %q", out.Summary)
	}
}

func TestHistoryKeepsFirstCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gitInit(t, dir)
	write(t, dir, "app.js", leakLine())
	first := commit(t, dir, "Add it")
	write(t, dir, "app.js", "ok();\n")
	commit(t, dir, "Remove it")
	write(t, dir, "app.js", leakLine())
	commit(t, dir, "Add it again")
	write(t, dir, "app.js", "ok();\n")
	commit(t, dir, "Remove it again")
	out, _ := run(t, dir, Options{History: true})
	if len(out.Findings) != 1 || !strings.Contains(out.Findings[0].Message, "Commit "+first[:7]+" added") {
		t.Errorf("want one finding naming the first commit %s, got:\n%s", first[:7], findingsJSON(t, out.Findings))
	}
}

func TestHistoryOfAppInMonorepo(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	gitInit(t, top)
	write(t, top, "other/app.js", leakLine())
	write(t, top, "apps/expense/src/app.js", leakLine())
	write(t, top, "apps/expense/node_modules/pkg/index.js", leakLine())
	commit(t, top, "Two apps")
	write(t, top, "other/app.js", "ok();\n")
	write(t, top, "apps/expense/src/app.js", "ok();\n")
	commit(t, top, "Clean up")
	app := filepath.Join(top, "apps", "expense")

	out, _ := run(t, app, Options{History: true})
	if diff := cmp.Diff([]string{"src/app.js"}, files(out.Findings)); diff != "" {
		t.Errorf("files with findings (-want +got):\n%s", diff)
	}
	out, _ = run(t, app, Options{History: true, IncludeVendored: true})
	if diff := cmp.Diff([]string{"node_modules/pkg/index.js", "src/app.js"}, files(out.Findings)); diff != "" {
		t.Errorf("with IncludeVendored (-want +got):\n%s", diff)
	}
}

func TestHistoryShallowClone(t *testing.T) {
	t.Parallel()
	origin, _ := removedKeyRepo(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gitCmd(t, t.TempDir(), "clone", "-q", "--depth", "1", "file://"+origin, clone)
	out, _ := run(t, clone, Options{History: true})
	if out.Details["history_shallow"] != true || out.Details["commits_scanned"] != 1 || !strings.Contains(out.Summary, "shallow clone") {
		t.Errorf("got %q, details %v", out.Summary, out.Details)
	}
}

func TestHistoryOfEmptyRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gitInit(t, dir)
	write(t, dir, "app.js", "ok();\n")
	out, _ := run(t, dir, Options{History: true})
	if out.Status != runway.StatusPass || out.Summary != "No secrets found in 1 file and 0 commits of history." {
		t.Errorf("got %s %q", out.Status, out.Summary)
	}
}

func TestHistoryFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, prefix string
		vendored     bool
		want         string
		ok           bool
	}{
		{"apps/x/src/a.js", "apps/x/", false, "src/a.js", true},
		{"src/a.js", "", false, "src/a.js", true},
		{"other/a.js", "apps/x/", false, "", false},
		{"apps/x/node_modules/p/a.js", "apps/x/", false, "", false},
		{"apps/x/node_modules/p/a.js", "apps/x/", true, "node_modules/p/a.js", true},
		{".runway/report.json", "", true, "", false},
		{"node_modules", "", false, "node_modules", true},
	}
	for _, tt := range tests {
		got, ok := historyFile(tt.file, tt.prefix, tt.vendored)
		if got != tt.want || ok != tt.ok {
			t.Errorf("historyFile(%q, %q, %t) = %q, %t; want %q, %t", tt.file, tt.prefix, tt.vendored, got, ok, tt.want, tt.ok)
		}
	}
}

package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// run runs the check on dir and returns its outcome and log.
func run(t testing.TB, dir string, opt Options) (runway.CheckOutcome, string) {
	t.Helper()
	var log bytes.Buffer
	ws := &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway")}
	out := New(opt).Run(context.Background(), ws, &log)
	return out, log.String()
}

// want is a finding the fixture app must produce.
type want struct {
	value string // the planted value's name in fakeValues
	rule  string
	file  string
	line  int
	col   int
	sev   runway.Severity
	name  string // the secret-store name suggested
}

// planted are the secrets planted in testdata/app; every other value there
// is a decoy that must not be reported.
var planted = []want{
	{"GITHUB_PAT_2", "github-pat", ".env.example", 10, 21, runway.SeverityCritical, "DEPLOY_GITHUB_TOKEN"},
	{"PRIVATE_KEY", "private-key", "certs/deploy_key.pem", 1, 1, runway.SeverityHigh, "PRIVATE_KEY"},
	{"AWS_ACCESS_KEY_ID", "aws-access-token", "config/aws.ini", 3, 21, runway.SeverityCritical, "AWS_ACCESS_KEY_ID"},
	{"AWS_SECRET_KEY", "generic-api-key", "config/aws.ini", 4, 1, runway.SeverityHigh, "AWS_SECRET_ACCESS_KEY"},
	{"DB_PASSWORD", "generic-api-key", "config/default.json", 6, 6, runway.SeverityHigh, "APP_PASSWORD"},
	{"STRIPE_TEST_KEY", "stripe-access-token", "scripts/seed.sh", 4, 25, runway.SeverityHigh, "STRIPE_TEST_KEY"},
	{"GITHUB_PAT", "github-pat", "src/github.js", 5, 10, runway.SeverityCritical, "GITHUB_TOKEN"},
	{"STRIPE_LIVE_KEY", "stripe-access-token", "src/payments.js", 1, 35, runway.SeverityCritical, "STRIPE_SECRET_KEY"},
	{"SLACK_BOT_TOKEN", "slack-bot-token", "src/server.js", 8, 30, runway.SeverityCritical, "SLACK_BOT_TOKEN"},
}

func TestFixtureApp(t *testing.T) {
	t.Parallel()
	out, log := run(t, buildApp(t, fakeValues()), Options{})
	if out.Status != runway.StatusFail {
		t.Fatalf("status = %s, want fail (%s)", out.Status, out.Summary)
	}
	if want := "9 secrets found in 8 files."; out.Summary != want {
		t.Errorf("summary = %q, want %q", out.Summary, want)
	}
	wantDetails := map[string]any{"files_scanned": 12, "rules": len(mustRules(t).Rules)}
	if diff := cmp.Diff(wantDetails, out.Details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	for _, s := range []string{"skipped vendored folders (scan them with --include-vendored): node_modules", "skipped 1 files and folders that .gitignore ignores"} {
		if !strings.Contains(log, s) {
			t.Errorf("log lacks %q:\n%s", s, log)
		}
	}
	recall, falsePositives := score(out.Findings)
	t.Logf("recall %d/%d, false positives %d", recall, len(planted), falsePositives)
	if recall != len(planted) || falsePositives != 0 {
		t.Errorf("recall %d/%d, false positives %d; findings:\n%s", recall, len(planted), falsePositives, findingsJSON(t, out.Findings))
	}
	runwaytest.Golden(t, "testdata/app.findings.golden.json", findingsJSON(t, out.Findings))
}

// score counts the planted secrets found where expected, with the expected
// rule, column, severity and suggested name, and the findings that match
// none of them.
func score(fs []runway.Finding) (recall, falsePositives int) {
	for _, f := range fs {
		i := slices.IndexFunc(planted, func(w want) bool {
			return w.rule == f.Rule && w.file == f.File && w.line == f.Line && w.col == f.Column && w.sev == f.Severity &&
				strings.Contains(f.Fix, "secret store as "+w.name+" ")
		})
		if i < 0 {
			falsePositives++
			continue
		}
		recall++
	}
	return recall, falsePositives
}

func findingsJSON(t testing.TB, fs []runway.Finding) []byte {
	t.Helper()
	data, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

func mustRules(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := rules(false)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFindingIDIgnoresUnrelatedLines(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	dir := buildApp(t, values)
	before, _ := run(t, dir, Options{})
	server := filepath.Join(dir, "src", "server.js")
	data, err := os.ReadFile(server)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(server, append([]byte("// A new first line.\n\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	after, _ := run(t, dir, Options{})
	ids := func(fs []runway.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(ids(before.Findings), ids(after.Findings)); diff != "" {
		t.Errorf("IDs changed when lines moved (-before +after):\n%s", diff)
	}
	i := slices.IndexFunc(after.Findings, func(f runway.Finding) bool { return f.File == "src/server.js" })
	if i < 0 || after.Findings[i].Line != 10 {
		t.Errorf("the Slack token moved to line 10; findings:\n%s", findingsJSON(t, after.Findings))
	}
}

func TestNoSecretsPasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "index.js", "console.log(process.env.SLACK_BOT_TOKEN);\n")
	write(t, dir, ".env.example", "SLACK_BOT_TOKEN=changeme\nSTRIPE_SECRET_KEY=\n")
	out, _ := run(t, dir, Options{})
	if out.Status != runway.StatusPass || out.Summary != "No secrets found in 2 files." || len(out.Findings) != 0 {
		t.Errorf("got %s %q %v, want pass with no findings", out.Status, out.Summary, out.Findings)
	}
}

func TestSameValueTwiceInAFile(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	dir := t.TempDir()
	token := values["SLACK_BOT_TOKEN"]
	write(t, dir, "slack.js", fmt.Sprintf("a(%q);\nb();\nc(%q);\nd(%q);\n", token, token, token))
	out, _ := run(t, dir, Options{})
	if len(out.Findings) != 1 {
		t.Fatalf("want one finding for one value, got:\n%s", findingsJSON(t, out.Findings))
	}
	if f := out.Findings[0]; f.Line != 1 || !strings.Contains(f.Message, "also on lines 3 and 4") {
		t.Errorf("want line 1, also on lines 3 and 4; got line %d: %s", f.Line, f.Message)
	}
}

func TestEnvExample(t *testing.T) {
	t.Parallel()
	values := fakeValues()
	for _, name := range []string{".env.example", ".env.sample", ".env.template"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, name, strings.Join([]string{
				"SLACK_BOT_TOKEN=changeme",
				"SLACK_SIGNING_SECRET=xxxxxxxxxxxxxxxxxxxxxxxx",
				"OPENAI_API_KEY=your_api_key_here",
				"GITHUB_TOKEN=<your-token>",
				"DATABASE_PASSWORD=",
				"SESSION_SECRET=${SESSION_SECRET}",
				"STRIPE_SECRET_KEY=sk_live_" + strings.Repeat("x", 24),
				"AWS_ACCESS_KEY_ID=" + values["AWS_DOC_KEY_ID"],
				"AWS_SECRET_ACCESS_KEY=" + values["AWS_DOC_SECRET"],
				"STRIPE_TEST_KEY=" + values["STRIPE_DOC_KEY"],
				"REAL_SLACK_TOKEN=" + values["SLACK_BOT_TOKEN"],
			}, "\n")+"\n")
			out, _ := run(t, dir, Options{})
			if len(out.Findings) != 1 || out.Findings[0].Rule != "slack-bot-token" || out.Findings[0].Line != 11 {
				t.Errorf("want only the real Slack token on line 11, got:\n%s", findingsJSON(t, out.Findings))
			}
		})
	}
}

func TestCannotScan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _ := run(t, filepath.Join(dir, "missing"), Options{})
	if out.Status != runway.StatusError || !strings.HasPrefix(out.Summary, "Could not scan for secrets: the app's folder") {
		t.Errorf("got %s %q, want an error", out.Status, out.Summary)
	}
	out, _ = run(t, dir, Options{History: true})
	if out.Status != runway.StatusError || !strings.Contains(out.Summary, "is not in a git repository") {
		t.Errorf("got %s %q, want an error saying it is not a repository", out.Status, out.Summary)
	}
}

func TestNameAndNeeds(t *testing.T) {
	c := New(Options{})
	if c.Name() != "secrets" || len(c.Needs()) != 0 {
		t.Errorf("Name() = %q, Needs() = %v", c.Name(), c.Needs())
	}
}

// write writes a file under dir, making its folders.
func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCertificateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "certs/client.p12", "0\x82\x06\xf1\x02\x01\x030\x82\x06\xb7\x06\t*\x86H\x86\xf7\r\x01\x07\x01")
	out, _ := run(t, dir, Options{})
	if len(out.Findings) != 1 {
		t.Fatalf("want one finding for the .p12 file, got:\n%s", findingsJSON(t, out.Findings))
	}
	f := out.Findings[0]
	want := "A certificate file holding a private key is among the app's files"
	if f.Rule != "pkcs12-file" || f.Title != want || !strings.HasPrefix(f.Message, "`certs/client.p12` looks like a certificate file holding a private key.") {
		t.Errorf("got %s %q %q", f.Rule, f.Title, f.Message)
	}
}

package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/runwaytest"
	"gopkg.in/yaml.v3"
)

// options are the facts of the DESIGN's example app.
var options = Options{
	Name: "expense-approvals", Owner: "finance",
	Description:   "Submit expenses and route them to a team lead.",
	Audience:      runway.AudienceTeam,
	Data:          []runway.DataClass{runway.DataInternal},
	ExpectedUsers: 60,
}

// scaffold writes template ref with opt into a new temporary folder and
// returns the folder and the paths written.
func scaffold(t *testing.T, ref string, opt Options) (string, []string) {
	t.Helper()
	tmpl, err := Find(ref)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), opt.Name)
	written, err := Scaffold(tmpl, dir, opt)
	if err != nil {
		t.Fatalf("Scaffold(%s): %v", ref, err)
	}
	return dir, written
}

// snapshot returns every file under dir with its content and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = info.Mode().String()
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			out[rel] += " " + string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScaffoldEveryTemplate scaffolds each template and checks what every
// template must contain (the seed's list).
func TestScaffoldEveryTemplate(t *testing.T) {
	t.Parallel()
	for _, tmpl := range List() {
		t.Run(tmpl.Name, func(t *testing.T) {
			t.Parallel()
			dir, written := scaffold(t, tmpl.Name, options)
			runwaytest.Golden(t, filepath.Join("testdata", tmpl.Name+".golden"), []byte(strings.Join(written, "\n")+"\n"))
			checkManifest(t, dir, tmpl)
			if diff := cmp.Diff(written, sortedFiles(snapshot(t, dir))); diff != "" {
				t.Errorf("written paths differ from the files on disk (-written +disk):\n%s", diff)
			}
			for _, rel := range written {
				checkFile(t, dir, rel)
			}
		})
	}
}

// sortedFiles returns the files (not folders) of a snapshot, sorted.
func sortedFiles(snap map[string]string) []string {
	var out []string
	for rel, v := range snap {
		if !strings.HasPrefix(v, "d") {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// checkManifest parses the scaffolded runway.yaml as `runway check` will.
func checkManifest(t *testing.T, dir string, tmpl Template) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, runway.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		t.Fatalf("runway.yaml does not parse:\n%v\n%s", err, data)
	}
	want := runway.Manifest{
		Name: "expense-approvals", Owner: "finance", Template: tmpl.Ref(),
		Description: options.Description, Risk: runway.RiskMedium, Audience: runway.AudienceTeam,
		ExpectedUsers: 60, Data: []runway.DataClass{runway.DataInternal},
		Integrations: []runway.Integration{}, Budget: m.Budget, Run: m.Run,
	}
	parts := []string{"integrations: []", "#     - name: slack", "#       secret: SLACK_BOT_TOKEN", "security_review: false"}
	if tmpl.Name == "connector" {
		// A connector's example is its Slack integration; Runway validates
		// and tests connector.yaml itself, so it has no build, lint or
		// test command.
		want.Integrations = []runway.Integration{{Name: "slack", Host: "hooks.slack.com", RequiresSecret: true, Secret: "SLACK_WEBHOOK_URL"}}
		want.Flags.SecurityReview = true
		parts = []string{"secret: SLACK_WEBHOOK_URL", "security_review: true", "runway dev"}
	} else if m.Run.Build == "" || m.Run.Lint == "" || m.Run.Test == "" {
		t.Errorf("run section incomplete: %+v", m.Run)
	}
	if diff := cmp.Diff(want, *m); diff != "" {
		t.Errorf("runway.yaml (-want +got):\n%s", diff)
	}
	if m.Budget.MonthlyUSD <= 0 {
		t.Errorf("budget.monthly_usd = %v, want a cap above 0", m.Budget.MonthlyUSD)
	}
	if m.Run.Start == "" || m.Run.Health != "/healthz" {
		t.Errorf("run section incomplete: %+v", m.Run)
	}
	for _, part := range parts {
		if !strings.Contains(string(data), part) {
			t.Errorf("runway.yaml lacks %q", part)
		}
	}
}

// placeholder matches a setting in .env.example, commented out or not.
var placeholder = regexp.MustCompile(`^#?\s*([A-Z][A-Z0-9_]*)=(.*)$`)

// checkFile checks one scaffolded file: nothing left of the template
// language, scripts executable, placeholders only in .env.example, valid
// JSON where JSON is expected.
func checkFile(t *testing.T, dir, rel string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "[[") || strings.Contains(string(data), "]]") {
		t.Errorf("%s still holds [[ or ]]", rel)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if script := strings.HasSuffix(rel, ".sh"); script != (info.Mode()&0o111 != 0) {
		t.Errorf("%s has mode %v; scripts and only scripts must be executable", rel, info.Mode())
	}
	switch {
	case rel == ".env.example":
		checkPlaceholders(t, string(data))
	case strings.HasSuffix(rel, ".json"):
		if !json.Valid(data) {
			t.Errorf("%s is not valid JSON", rel)
		}
	case strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml"):
		checkYAML(t, rel, data)
	}
}

// checkYAML decodes every document of a YAML file.
func checkYAML(t *testing.T, rel string, data []byte) {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Errorf("%s is not valid YAML: %v", rel, err)
			return
		}
	}
}

// checkPlaceholders fails on any value in .env.example other than empty
// or changeme.
func checkPlaceholders(t *testing.T, env string) {
	t.Helper()
	settings := 0
	for i, line := range strings.Split(env, "\n") {
		m := placeholder.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				t.Errorf(".env.example:%d: %q is neither a comment nor a setting", i+1, line)
			}
			continue
		}
		settings++
		if value := strings.TrimSpace(m[2]); value != "" && value != "changeme" {
			t.Errorf(".env.example:%d: %s has the value %q; only empty values or changeme are allowed", i+1, m[1], value)
		}
	}
	if settings == 0 {
		t.Error(".env.example declares no setting")
	}
}

// TestScaffoldContents checks the parts of each template the platform
// relies on, file by file.
func TestScaffoldContents(t *testing.T) {
	t.Parallel()
	common := map[string][]string{
		".github/workflows/ci.yml": {"fetch-depth: 0", "permissions:", "vars.RUNWAY_VERSION || 'latest'",
			`go install "github.com/runwayhq/runway/cmd/runway@${RUNWAY_VERSION}"`, "runway check . --format github",
			"github/codeql-action/upload-sarif", "if: always()", "path: .runway/", "runway submit .",
			"vars.RUNWAY_URL != ''", "secrets.RUNWAY_TOKEN", "default_branch"},
		".gitlab-ci.yml": {"runway check . --format text", "when: always", "codequality: .runway/codequality.json",
			"cyclonedx: .runway/sbom.cdx.json", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $RUNWAY_URL", "runway submit ."},
		".gitignore": {".runway/", ".env"},
		"README.md":  {"# expense-approvals", "runway check", "secret", "production", "runway.yaml"},
	}
	// Apps with code run in containers; a connector is run by Runway
	// itself, so it has no infra/ nor packages.
	apps := map[string][]string{
		"infra/deployment.yaml": {"name: expense-approvals", "requests:", "limits:", "runAsNonRoot: true",
			"readOnlyRootFilesystem: true", "livenessProbe:", "readinessProbe:", "path: /healthz"},
		"infra/service.yaml":       {"kind: Service", "name: expense-approvals"},
		"infra/networkpolicy.yaml": {"name: expense-approvals-default-deny", "- Egress", "integrations"},
		".gitignore":               {"node_modules/"},
	}
	specific := map[string]map[string][]string{
		"static-site": {"app/server.js": {"/healthz", "SIGTERM", "process.env.PORT", "Content-Security-Policy"},
			"public/index.html": {"<title>expense-approvals</title>"}, "package.json": {"html-validate", "node --test"}},
		"node-api": {"app/routes.js": {"/healthz"}, "app/telemetry.js": {"OTEL_EXPORTER_OTLP_ENDPOINT", "exporter-trace-otlp-http"},
			"package.json": {`"name": "expense-approvals"`, "eslint", "node --test"}, "package-lock.json": {`"lockfileVersion": 3`}},
		"go-api": {"go.mod": {"module expense-approvals"}, "app/routes.go": {"GET /healthz"},
			"app/telemetry.go": {"OTEL_EXPORTER_OTLP_ENDPOINT", "otlptracehttp", "otelhttp"}, "scripts/lint.sh": {"go vet", "gofmt -w"}},
		"connector": {"connector.yaml": {"trigger:", "slack.post_message:", "respond:"}, "tests/posts-to-slack.yaml": {"expect:", "calls:"},
			"runway.yaml": {"host: hooks.slack.com", "secret: SLACK_WEBHOOK_URL", "security_review: true"},
			"README.md":   {"runway connector test", "runway dev", "${{ request.body.name }}", "Add a step"}},
	}
	for _, tmpl := range List() {
		t.Run(tmpl.Name, func(t *testing.T) {
			t.Parallel()
			dir, _ := scaffold(t, tmpl.Name, options)
			checkContains(t, dir, common)
			if tmpl.Name != "connector" {
				checkContains(t, dir, apps)
			}
			checkContains(t, dir, specific[tmpl.Name])
		})
	}
}

func checkContains(t *testing.T, dir string, want map[string][]string) {
	t.Helper()
	for rel, parts := range want {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Error(err)
			continue
		}
		for _, part := range parts {
			if !strings.Contains(string(data), part) {
				t.Errorf("%s lacks %q", rel, part)
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "package-lock.json")); err == nil && strings.Contains(string(data), `"resolved"`) {
		t.Error("package-lock.json carries download URLs (resolved)")
	}
}

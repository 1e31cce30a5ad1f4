package sast

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/templates"
)

// scaffold writes a curated template into a new folder.
func scaffold(t testing.TB, tmpl templates.Template) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	_, err := templates.Scaffold(tmpl, dir, templates.Options{
		Name: "demo", Owner: "platform", Audience: runway.AudienceTeam,
		Data: []runway.DataClass{runway.DataInternal}, ExpectedUsers: 10,
	})
	if err != nil {
		t.Fatalf("scaffold %s: %v", tmpl.Name, err)
	}
	return dir
}

func run(t testing.TB, dir string, opt Options) (runway.CheckOutcome, string) {
	t.Helper()
	var log bytes.Buffer
	out := New(opt).Run(context.Background(), &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway")}, &log)
	return out, log.String()
}

// TestTemplatesRaiseNoFindings: the curated templates are what people start
// from, so the gate must pass them clean, Go included.
func TestTemplatesRaiseNoFindings(t *testing.T) {
	list := templates.List()
	if len(list) == 0 {
		t.Fatal("no templates in the catalog")
	}
	for _, tmpl := range list {
		t.Run(tmpl.Name, func(t *testing.T) {
			dir := scaffold(t, tmpl)
			out, log := run(t, dir, Options{})
			for _, f := range out.Findings {
				t.Errorf("%s:%d %s: %s", f.File, f.Line, f.Rule, f.Message)
			}
			if out.Status != runway.StatusPass {
				t.Errorf("status %s (%s), want pass; log:\n%s", out.Status, out.Summary, log)
			}
			if n, ok := out.Details["go_load_problems"]; ok {
				t.Errorf("gosec could not load %v packages; log:\n%s", n, log)
			}
			// A connector is YAML, no code: nothing to read is right.
			counts := out.Details["files_scanned"].(map[string]int)
			if total := counts[langJavaScript] + counts[langGo]; (total == 0) != (tmpl.Name == "connector") {
				t.Errorf("files_scanned = %v for template %s", counts, tmpl.Name)
			}
		})
	}
}

// writeApp writes files (path → content) into a new folder.
func writeApp(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const badJS = `const cp = require('child_process');
app.get('/x', (req, res) => {
  eval(req.query.code);
  cp.exec('ls ' + req.query.dir);
});
`

func TestCheckOutcomes(t *testing.T) {
	sarifFile := filepath.Join("testdata", "sarif", "semgrep.sarif")
	tests := []struct {
		name        string
		files       map[string]string
		opt         Options
		status      runway.CheckStatus
		summary     string
		findings    int
		skipsOthers []string // files that must not be scanned
	}{
		{name: "clean", files: map[string]string{"app/server.js": "console.log('hi');\n"},
			status: runway.StatusPass, summary: "No risky code patterns found."},
		{name: "findings warn", files: map[string]string{"app/server.js": badJS, "app/ok.py": "print('hi')\n"},
			status: runway.StatusWarn, summary: "2 risky code patterns in 1 file.", findings: 2},
		{name: "dependencies, tests and artifacts are not scanned", files: map[string]string{
			"node_modules/x/index.js": badJS, "vendor/x.js": badJS, ".git/hooks/x.js": badJS,
			".runway/x.js": badJS, "test/server.test.js": badJS, "app/server.spec.js": badJS,
			"public/app.min.js": badJS, "app/ok.js": "module.exports = 1;\n"},
			status: runway.StatusPass, summary: "No risky code patterns found."},
		{name: "npm script turns TLS checks off", files: map[string]string{
			"package.json": "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"start\": \"NODE_TLS_REJECT_UNAUTHORIZED=0 node app/server.js\"\n  }\n}\n"},
			status: runway.StatusWarn, summary: "1 risky code pattern in 1 file.", findings: 1},
		{name: "SARIF merged", files: map[string]string{"app/server.js": badJS},
			opt:    Options{SARIF: []string{sarifFile}},
			status: runway.StatusWarn, summary: "4 risky code patterns in 2 files.", findings: 4},
		{name: "missing SARIF file is an error", files: map[string]string{"app/server.js": badJS},
			opt:    Options{SARIF: []string{"testdata/sarif/missing.sarif"}},
			status: runway.StatusError, summary: "Cannot open the SARIF file testdata/sarif/missing.sarif; check the path given to --sarif. Meanwhile the other scanners found 2 risky code patterns in 1 file.", findings: 2},
		{name: "oversized SARIF file is an error", files: map[string]string{"app/server.js": "1;\n"},
			opt:    Options{SARIF: []string{sarifFile}, MaxSARIFBytes: 100},
			status: runway.StatusError, summary: "The SARIF file semgrep.sarif is larger than 100 bytes, the most Runway reads; run the tool on fewer folders or with fewer rules, or split its output."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, log := run(t, writeApp(t, tt.files), tt.opt)
			if out.Status != tt.status || out.Summary != tt.summary {
				t.Errorf("got %s %q, want %s %q; log:\n%s", out.Status, out.Summary, tt.status, tt.summary, log)
			}
			if len(out.Findings) != tt.findings {
				t.Errorf("%d findings, want %d: %+v", len(out.Findings), tt.findings, out.Findings)
			}
			for _, f := range out.Findings {
				if f.Blocking || f.Kind != runway.KindSAST || f.Check != "sast" || f.ID == "" || f.Fix == "" {
					t.Errorf("finding breaks the contract: %+v", f)
				}
			}
		})
	}
}

// TestNoGoCommand: without Go installed the Go scanner cannot run; the
// check says so and keeps what the other scanners found.
func TestNoGoCommand(t *testing.T) {
	dir := writeApp(t, map[string]string{
		"go.mod":        "module example.com/x\n\ngo 1.26\n",
		"main.go":       "package main\n\nfunc main() {}\n",
		"app/server.js": badJS,
	})
	t.Setenv("PATH", t.TempDir())
	out, _ := run(t, dir, Options{})
	if out.Status != runway.StatusError || !strings.Contains(out.Summary, "needs the go command") {
		t.Errorf("got %s %q, want an error naming the go command", out.Status, out.Summary)
	}
	if len(out.Findings) != 2 {
		t.Errorf("%d findings, want the 2 from JavaScript", len(out.Findings))
	}
}

// TestDetails: policy reads the counts and the timing.
func TestDetails(t *testing.T) {
	dir := writeApp(t, map[string]string{"a.js": badJS, "b.ts": "export const x = 1;\n", "c.py": "x = 1\n"})
	out, _ := run(t, dir, Options{})
	counts := out.Details["files_scanned"].(map[string]int)
	if counts[langJavaScript] != 1 || counts[langTypeScript] != 1 || counts[langPython] != 1 {
		t.Errorf("files_scanned = %v", counts)
	}
	if _, ok := out.Details["timing_ms"].(map[string]int64)["tree_sitter"]; !ok {
		t.Errorf("timing_ms = %v, want tree_sitter", out.Details["timing_ms"])
	}
	if out.Details["rules"].(int) < 20 {
		t.Errorf("rules = %v", out.Details["rules"])
	}
}

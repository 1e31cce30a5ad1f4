package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/manifest"
)

// TestScaffoldNeverOverwrites puts files where a new app would go and
// checks that Scaffold refuses and leaves the folder exactly as it was,
// including the files that would not have conflicted.
func TestScaffoldNeverOverwrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing map[string]string
		want     []string // conflicting paths named in the message
	}{
		{"manifest", map[string]string{"runway.yaml": "name: mine\n", "notes.txt": "keep me"}, []string{"runway.yaml"}},
		{"nested", map[string]string{"app/server.js": "// mine", "app/other.js": "// mine"}, []string{filepath.Join("app", "server.js")}},
		{"folder in the way", map[string]string{"README.md/keep": "x"}, []string{"README.md"}},
		{"file in the way of a folder", map[string]string{"infra": "a file"}, []string{filepath.Join("infra", "deployment.yaml")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for rel, content := range tt.existing {
				path := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, dir)
			tmpl, _ := Find("static-site")
			written, err := Scaffold(tmpl, dir, options)
			if code := runway.ErrorCode(err); code != runway.ECONFLICT {
				t.Fatalf("Scaffold error = %v (code %q), want ECONFLICT", err, code)
			}
			for _, p := range tt.want {
				if !strings.Contains(runway.ErrorMessage(err), p) {
					t.Errorf("message %q does not name %s", runway.ErrorMessage(err), p)
				}
			}
			if written != nil {
				t.Errorf("written = %v, want nil", written)
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestScaffoldTwiceConflicts(t *testing.T) {
	t.Parallel()
	dir, written := scaffold(t, "node-api", options)
	before := snapshot(t, dir)
	tmpl, _ := Find("node-api")
	_, err := Scaffold(tmpl, dir, options)
	if runway.ErrorCode(err) != runway.ECONFLICT {
		t.Fatalf("second Scaffold error = %v, want ECONFLICT", err)
	}
	if !strings.Contains(runway.ErrorMessage(err), "already has "+plural(len(written), "file")) {
		t.Errorf("message does not count the %d conflicts: %s", len(written), runway.ErrorMessage(err))
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("the folder changed (-before +after):\n%s", diff)
	}
}

func TestScaffoldIntoAFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, _ := Find("go-api")
	if _, err := Scaffold(tmpl, path, options); runway.ErrorCode(err) != runway.ECONFLICT {
		t.Errorf("Scaffold into a file: error = %v, want ECONFLICT", err)
	}
}

// manifestMessage returns what manifest.Parse says about a manifest, less
// the file:line:col prefix, which differs between files.
func manifestMessage(t *testing.T, yaml string) string {
	t.Helper()
	_, err := manifest.Parse([]byte(yaml))
	if err == nil {
		t.Fatalf("manifest parsed:\n%s", yaml)
	}
	return regexp.MustCompile(`^runway\.yaml:\d+:\d+: `).ReplaceAllString(err.Error(), "")
}

// TestScaffoldBadOptions checks that bad options get the manifest's
// plain-language message and that nothing is written.
func TestScaffoldBadOptions(t *testing.T) {
	t.Parallel()
	base := "name: ok\nowner: ok\nrisk: low\naudience: team\n"
	tests := []struct {
		name  string
		opt   func(*Options)
		field string // the manifest line that says the same
	}{
		{"name with spaces", func(o *Options) { o.Name = "Expense Approvals" }, "name: Expense Approvals"},
		{"name injection", func(o *Options) { o.Name = "x\nrisk: low" }, `name: "x\nrisk: low"`},
		{"empty owner", func(o *Options) { o.Owner = "" }, `owner: ""`},
		{"unknown risk", func(o *Options) { o.Risk = "tiny" }, "risk: tiny"},
		{"unknown audience", func(o *Options) { o.Audience = "world" }, "audience: world"},
		{"unknown data", func(o *Options) { o.Data = []runway.DataClass{"secrets"} }, "data: [secrets]"},
		{"negative users", func(o *Options) { o.ExpectedUsers = -1 }, "expected_users: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opt := options
			tt.opt(&opt)
			key, _, _ := strings.Cut(tt.field, ":")
			want := manifestMessage(t, regexp.MustCompile(`(?m)^`+key+`:.*\n`).ReplaceAllString(base, "")+tt.field+"\n")
			dir := filepath.Join(t.TempDir(), "new")
			tmpl, _ := Find("node-api")
			_, err := Scaffold(tmpl, dir, opt)
			if runway.ErrorCode(err) != runway.EINVALID {
				t.Fatalf("Scaffold error = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not carry the manifest's message\n got: %v\nwant: %s", err, want)
			}
			if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
				t.Errorf("the folder was created (%v)", statErr)
			}
		})
	}
}

func TestScaffoldUnknownTemplate(t *testing.T) {
	t.Parallel()
	tests := []Template{{Name: "rails-app", Version: 1}, {Name: "node-api", Version: 9}}
	for _, tmpl := range tests {
		if _, err := Scaffold(tmpl, t.TempDir(), options); runway.ErrorCode(err) != runway.ENOTFOUND {
			t.Errorf("Scaffold(%s) error = %v, want ENOTFOUND", tmpl.Ref(), err)
		}
	}
}

// TestScaffoldDefaults leaves the risk and the description empty.
func TestScaffoldDefaults(t *testing.T) {
	t.Parallel()
	opt := Options{Name: "my-notes", Owner: "ops", Audience: runway.AudiencePersonal}
	dir, _ := scaffold(t, "node-api", opt)
	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := Find("node-api")
	if m.Risk != runway.RiskLow || m.Description != tmpl.Description || len(m.Data) != 0 || m.Template != "node-api@1" {
		t.Errorf("defaults: risk %q, description %q, data %v, template %q", m.Risk, m.Description, m.Data, m.Template)
	}
}

// TestScaffoldEscapes writes a description full of characters that mean
// something in YAML, JSON, HTML and Markdown, and checks each file reads
// it back as written.
func TestScaffoldEscapes(t *testing.T) {
	t.Parallel()
	opt := options
	opt.Description = `Track "urgent" items: a & b <script>alert(1)</script> # not a comment, 100% done\ yes`
	dir, _ := scaffold(t, "static-site", opt)

	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Description != opt.Description {
		t.Errorf("runway.yaml description = %q, want %q", m.Description, opt.Description)
	}
	var pkg struct{ Description string }
	data, _ := os.ReadFile(filepath.Join(dir, "package.json"))
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.Description != opt.Description {
		t.Errorf("package.json description = %q (%v), want %q", pkg.Description, err, opt.Description)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "public", "index.html"))
	if strings.Contains(string(page), "<script>alert") || !strings.Contains(string(page), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("index.html does not escape the description")
	}
}

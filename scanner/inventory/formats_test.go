package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// formatCase is a folder of files and the inventory summary expected from
// it (see summarize).
type formatCase struct {
	name  string
	files map[string]string
	want  []string
}

func runCases(t *testing.T, tests []formatCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			if diff := cmp.Diff(tt.want, summarize(mustScan(t, dir))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestYarnCases(t *testing.T) {
	t.Parallel()
	runCases(t, []formatCase{{
		name: "classic alias, quoted keys, no package.json",
		files: map[string]string{"yarn.lock": "# yarn lockfile v1\n\n" +
			"\"string-width-cjs@npm:string-width@^4.2.0\":\n  version \"4.2.3\"\n  dependencies:\n    strip-ansi \"^6.0.1\"\n\n" +
			"strip-ansi@^6.0.0, strip-ansi@^6.0.1:\n  version \"6.0.1\"\n"},
		want: []string{"string-width@4.2.3 direct", "strip-ansi@6.0.1 [string-width]"},
	}, {
		name: "berry workspaces, patches and links",
		files: map[string]string{
			"package.json": `{"name":"root","dependencies":{"resolve":"^1"},"devDependencies":{"tool":"^2"}}`,
			"yarn.lock": "__metadata:\n  version: 8\n\n" +
				"\"root@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"root@workspace:.\"\n  dependencies:\n    resolve: \"patch:resolve@npm%3A^1#~builtin<compat/resolve>\"\n    tool: \"npm:^2\"\n    linked: \"link:./linked\"\n  languageName: unknown\n  linkType: soft\n\n" +
				"\"resolve@patch:resolve@npm%3A^1#~builtin<compat/resolve>\":\n  version: 1.22.8\n  resolution: \"resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d\"\n  dependencies:\n    is-core-module: \"npm:^2.13.0\"\n  languageName: node\n  linkType: hard\n\n" +
				"\"is-core-module@npm:^2.13.0\":\n  version: 2.15.1\n  resolution: \"is-core-module@npm:2.15.1\"\n  languageName: node\n  linkType: hard\n\n" +
				"\"tool@npm:^2\":\n  version: 2.0.0\n  resolution: \"tool@npm:2.0.0\"\n  dependencies:\n    is-core-module: \"npm:^2.13.0\"\n  languageName: node\n  linkType: hard\n\n" +
				"\"linked@link:./linked::locator=root%40workspace%3A.\":\n  version: 0.0.0-use.local\n  resolution: \"linked@link:./linked::locator=root%40workspace%3A.\"\n  languageName: node\n  linkType: soft\n",
		},
		want: []string{"is-core-module@2.15.1 [resolve tool]", "resolve@1.22.8 direct", "tool@2.0.0 direct dev"},
	}})
}

func TestPnpmCases(t *testing.T) {
	t.Parallel()
	runCases(t, []formatCase{{
		name: "v5 keys, peer suffixes",
		files: map[string]string{"pnpm-lock.yaml": `lockfileVersion: 5.4
specifiers:
  ts-node: ^10.9.1
dependencies:
  ts-node: 10.9.1_typescript@5.0.4
devDependencies:
  typescript: 5.0.4
packages:
  /ts-node/10.9.1_typescript@5.0.4:
    resolution: {integrity: sha512-x}
    dependencies:
      arg: 4.1.3
    dev: false
  /arg/4.1.3:
    resolution: {integrity: sha512-y}
    dev: false
  /typescript/5.0.4:
    resolution: {integrity: sha512-z}
    dev: true
`},
		want: []string{"arg@4.1.3 [ts-node]", "ts-node@10.9.1 direct", "typescript@5.0.4 direct dev"},
	}, {
		name: "v9 workspace importers, aliases, links and a second document",
		files: map[string]string{"pnpm-lock.yaml": `---
lockfileVersion: '9.0'
importers:
  .:
    configDependencies: {}
packages:
  pnpm@9.15.9:
    resolution: {integrity: sha512-p}
snapshots:
  pnpm@9.15.9: {}
---
lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      sw:
        specifier: npm:string-width@^4
        version: string-width@4.2.3
      api:
        specifier: workspace:*
        version: link:packages/api
  packages/api:
    devDependencies:
      debug:
        specifier: ^4
        version: 4.3.4(supports-color@8.1.1)
packages:
  string-width@4.2.3:
    resolution: {integrity: sha512-a}
  debug@4.3.4:
    resolution: {integrity: sha512-b}
  supports-color@8.1.1:
    resolution: {integrity: sha512-c}
snapshots:
  string-width@4.2.3: {}
  debug@4.3.4(supports-color@8.1.1):
    dependencies:
      supports-color: 8.1.1
  supports-color@8.1.1: {}
`},
		want: []string{"debug@4.3.4 direct dev", "string-width@4.2.3 direct", "supports-color@8.1.1 dev [debug]"},
	}})
}

func TestGoModCases(t *testing.T) {
	t.Parallel()
	runCases(t, []formatCase{{
		name: "replace directives and a toolchain",
		files: map[string]string{"go.mod": `module example.com/app

go 1.22

toolchain go1.22.5

require (
	example.com/a v1.0.0
	example.com/b v1.2.0 // indirect
	example.com/local v0.0.0
	example.com/old v0.1.0
)

replace example.com/a => example.com/a-fork v1.0.1
replace example.com/old v0.1.0 => example.com/old v0.1.1
replace example.com/local => ../local
`},
		want: []string{"example.com/a-fork@1.0.1 direct", "example.com/b@1.2.0", "example.com/old@0.1.1 direct", "stdlib@1.22.5 direct"},
	}, {
		name: "before Go 1.17, go.sum fills in the indirect modules",
		files: map[string]string{
			"go.mod": "module example.com/app\n\ngo 1.16\n\nrequire example.com/a v1.0.0\n",
			"go.sum": "example.com/a v1.0.0 h1:x=\nexample.com/a v1.0.0/go.mod h1:x=\n" +
				"example.com/c v1.1.0 h1:x=\nexample.com/c v1.3.0 h1:x=\nexample.com/c v1.2.0/go.mod h1:x=\n" +
				"example.com/modonly v1.0.0/go.mod h1:x=\n",
		},
		want: []string{"example.com/a@1.0.0 direct", "example.com/c@1.3.0", "stdlib@1.16.0 direct"},
	}, {
		name: "from Go 1.17, go.sum-only modules are not components",
		files: map[string]string{
			"go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n",
			"go.sum": "example.com/a v1.0.0 h1:x=\nexample.com/testonly v1.0.0 h1:x=\n",
		},
		want: []string{"example.com/a@1.0.0 direct", "stdlib@1.21.0 direct"},
	}})
}

func TestPythonCases(t *testing.T) {
	t.Parallel()
	runCases(t, []formatCase{{
		name: "poetry lock 2.0 has no groups: dev follows the roots",
		files: map[string]string{
			"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11\"\nFlask = \"^3\"\n\n[tool.poetry.group.test.dependencies]\npytest = \"^8\"\n",
			"poetry.lock": "[[package]]\nname = \"flask\"\nversion = \"3.0.3\"\n[package.dependencies]\nclick = \">=8\"\n\n" +
				"[[package]]\nname = \"click\"\nversion = \"8.1.7\"\n[package.dependencies]\ncolorama = {version = \"*\", markers = \"platform_system == 'Windows'\"}\n\n" +
				"[[package]]\nname = \"colorama\"\nversion = \"0.4.6\"\n\n" +
				"[[package]]\nname = \"pytest\"\nversion = \"8.3.2\"\n[package.dependencies]\ncolorama = \"*\"\niniconfig = \"*\"\n\n" +
				"[[package]]\nname = \"iniconfig\"\nversion = \"2.0.0\"\n\n[metadata]\nlock-version = \"2.0\"\n",
		},
		want: []string{"click@8.1.7 [flask]", "colorama@0.4.6 [flask pytest]", "flask@3.0.3 direct", "iniconfig@2.0.0 dev [pytest]", "pytest@8.3.2 direct dev"},
	}, {
		name: "poetry lock 1.1 categories, no pyproject",
		files: map[string]string{
			"poetry.lock": "[[package]]\nname = \"Django\"\nversion = \"4.2.0\"\ncategory = \"main\"\n\n[package.dependencies]\nsqlparse = \">=0.3.1\"\n\n" +
				"[[package]]\nname = \"sqlparse\"\nversion = \"0.5.1\"\ncategory = \"main\"\n\n" +
				"[[package]]\nname = \"black\"\nversion = \"24.4.2\"\ncategory = \"dev\"\n\n[metadata]\nlock-version = \"1.1\"\n",
		},
		want: []string{"Django@4.2.0 direct", "black@24.4.2 direct dev", "sqlparse@0.5.1 [Django]"},
	}, {
		name:  "Pipfile.lock without a Pipfile: every package is direct",
		files: map[string]string{"Pipfile.lock": `{"_meta":{},"default":{"Flask":{"version":"==3.0.3"}},"develop":{"pytest":{"version":"==8.3.2"}}}`},
		want:  []string{"Flask@3.0.3 direct", "pytest@8.3.2 direct dev"},
	}, {
		name: "requirements: inline via, a dev file, nested includes",
		files: map[string]string{
			"requirements.txt":      "gunicorn==22.0.0  # via -r requirements.in\npackaging==24.1  # via gunicorn\n",
			"test-requirements.txt": "-r requirements.txt\n--requirement=ci/lint.txt\nPyTest==8.3.2\n",
			"ci/lint.txt":           "-r ../requirements.txt\n",
		},
		want: []string{"PyTest@8.3.2 direct dev", "gunicorn@22.0.0 direct", "packaging@24.1 [gunicorn]"},
	}})
}

// TestFind: nested projects are found; installed packages, vendored code,
// virtual environments, hidden folders and symlinks are not.
func TestFind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lock := `{"lockfileVersion":3,"packages":{}}`
	for _, p := range []string{"package-lock.json", "web/package-lock.json", "node_modules/x/package-lock.json",
		"vendor/go.mod", ".venv/requirements.txt", ".git/yarn.lock", ".runway/package-lock.json", "venv/requirements.txt",
		"api/go.mod", "docs/requirements-docs.txt", "notes.txt"} {
		content := lock
		if strings.HasSuffix(p, "go.mod") {
			content = "module example.com/m\n"
		}
		writeFile(t, filepath.Join(dir, p), content)
	}
	if err := os.Symlink(filepath.Join(dir, "web"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "package-lock.json"), filepath.Join(dir, "api", "package-lock.json")); err != nil {
		t.Fatal(err)
	}
	got, err := find(appDir{root: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"api/go.mod", "docs/requirements-docs.txt", "package-lock.json", "web/package-lock.json"}
	if !slices.Equal(got, want) {
		t.Errorf("find = %q, want %q", got, want)
	}
}

// TestScanErrors keeps in a golden file what a person reads when a
// lockfile cannot be read; the scan fails rather than miss it.
func TestScanErrors(t *testing.T) {
	t.Parallel()
	broken := []struct{ file, content string }{
		{"package-lock.json", `{"lockfileVersion": 3, "packages": {`},
		{"npm-shrinkwrap.json", `[]`},
		{"yarn.lock", "# yarn lockfile v1\n  version \"1.0.0\"\n"},
		{"yarn.lock", "__metadata:\n  version: 8\n\"a@npm:1\": [\n"},
		{"pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages: [1, 2\n"},
		{"pnpm-lock.yaml", ""},
		{"go.mod", "module example.com/m\nrequire (\n"},
		{"poetry.lock", "[[package]]\nname = \n"},
		{"Pipfile.lock", "{\"default\": 3}"},
		{"requirements.txt", "flask==3.0.3\n-r ../../outside.txt\n"},
		{"requirements.txt", "-r missing.txt\n"},
	}
	var out strings.Builder
	for _, b := range broken {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "app", b.file), b.content)
		_, err := Scan(dir)
		if runway.ErrorCode(err) != runway.EINVALID {
			t.Errorf("%s: error %v, want an EINVALID runway.Error", b.file, err)
		}
		fmt.Fprintf(&out, "%s\n", runway.ErrorMessage(err))
	}
	if _, err := Scan(filepath.Join(t.TempDir(), "missing")); runway.ErrorCode(err) != runway.EINVALID {
		t.Errorf("a missing folder: %v", err)
	}
	runwaytest.Golden(t, filepath.Join("testdata", "golden", "errors.golden"), []byte(out.String()))
}

// TestErrorsHideValues: a parser's error never repeats a value of the
// file, which may be a credential.
func TestErrorsHideValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\nimporters: https://build:s3cr3t-t0ken@registry.invalid/x\n")
	_, err := Scan(dir)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error = %v", err)
	}
}

// TestStaysInsideTheApp: a crafted lockfile cannot make the scan read
// files outside the app's folder.
func TestStaysInsideTheApp(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "package.json"), `{"name":"outside","version":"1.0.0","license":"LEAKED"}`)
	app := filepath.Join(root, "app")
	writeFile(t, filepath.Join(app, "node_modules", ".keep"), "")
	writeFile(t, filepath.Join(app, "package-lock.json"), `{"lockfileVersion":3,"packages":{"node_modules/../..":{"name":"evil","version":"1.0.0"}}}`)
	comps := mustScan(t, app).Components
	if len(comps) != 1 || comps[0].Name != "evil" {
		t.Fatalf("components = %+v", comps)
	}
	if len(comps[0].Licenses) > 0 {
		t.Errorf("licences %q read from outside the app", comps[0].Licenses)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Scan(dir)
	if msg := runway.ErrorMessage(err); !strings.Contains(msg, "larger than 64 MB") {
		t.Errorf("error = %v", err)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Flask_SQLAlchemy": "flask-sqlalchemy", "zope.interface": "zope-interface", "A--b__C..d": "a-b-c-d", " requests ": "requests"} {
		if got := pep503(in); got != want {
			t.Errorf("pep503(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{"requirements-dev.txt": true, "dev-requirements.txt": true, "requirements_test.txt": true, "requirements.txt": false, "requirements-prod.txt": false, "requirements.devices.txt": false} {
		if got := isDevRequirements(in); got != want {
			t.Errorf("isDevRequirements(%q) = %v", in, got)
		}
	}
	for _, tt := range []struct{ eco, name, version, want string }{
		{npm, "@types/ms", "0.7.34", "pkg:npm/%40types/ms@0.7.34"},
		{golang, "gopkg.in/yaml.v3", "3.0.1", "pkg:golang/gopkg.in/yaml.v3@v3.0.1"},
		{golang, "github.com/x/y", "1.0.0+incompatible", "pkg:golang/github.com/x/y@v1.0.0%2Bincompatible"},
		{pypi, "Zope_Interface", "6.4", "pkg:pypi/zope-interface@6.4"},
		{pypi, "Django", "", "pkg:pypi/django"},
		{"Maven", "x", "1", ""},
	} {
		if got := purl(tt.eco, tt.name, tt.version); got != tt.want {
			t.Errorf("purl(%s, %s, %s) = %s, want %s", tt.eco, tt.name, tt.version, got, tt.want)
		}
	}
}

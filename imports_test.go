package runway_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/runwayhq/runway"

// allowedImports lists, for every package, the Runway packages it may
// import (docs/ARCHITECTURE.md explains why). A new package must be added
// here, which makes its place in the architecture a deliberate choice.
var allowedImports = map[string][]string{
	"":                  {}, // the root: standard library only
	"schema":            {},
	"yamlfile":          {},
	"runwaytest":        {""},
	"sqlstore":          {""},
	"access":            {""},
	"flags":             {"", "access"},
	"session":           {""},
	"oidc":              {""},
	"oidc/oidctest":     {""},
	"signin":            {"", "oidc", "session"},
	"telemetry":         {""},
	"ui":                {"", "access", "report", "session", "release", "flags", "secrets"},
	"jobs":              {""},
	"release":           {"", "access", "manifest", "window", "sbomdiff", "sourcepack", "rollout"},
	"sourcepack":        {""},
	"notify":            {"", "egress"},
	"egress":            {""},
	"connector":         {"", "schema", "yamlfile", "egress"},
	"window":            {""},
	"rollout":           {""},
	"sbomdiff":          {""},
	"elevate":           {"", "access"},
	"web":               {"", "access", "release", "elevate", "flags", "secrets"},
	"manifest":          {"", "schema", "yamlfile"},
	"config":            {"", "schema", "yamlfile"},
	"templates":         {"", "manifest"},
	"report":            {""},
	"check":             {"", "manifest", "schema", "yamlfile"},
	"scanner/inventory": {""},
	"scanner/sbom":      {""},
	"cmd/runway":        {"*"},
	"opa":               {"", "schema", "yamlfile"},
	"scanner/osv":       {""},
	"scanner/sast":      {""},
	"scanner/secrets":   {""},
	"secrets":           {""},
	"secrets/vault":     {""},
	"supervisor":        {""},
	"localrt":           {"", "sourcepack", "supervisor", "proxy"},
	"proxy":             {""},
}

// TestImportRules enforces the architecture: the root imports only the
// standard library, adapters never import each other, and only cmd/runway
// wires everything together.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var pkg struct {
			ImportPath string
			Imports    []string
			Standard   bool
		}
		if err := dec.Decode(&pkg); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg.ImportPath, module), "/")
		allowed, ok := allowedImports[rel]
		if !ok {
			t.Errorf("package %q is not in allowedImports: add it with the Runway packages it may import", pkg.ImportPath)
			continue
		}
		if len(allowed) == 1 && allowed[0] == "*" {
			continue
		}
		for _, imp := range pkg.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				if rel == "" && strings.Contains(strings.Split(imp, "/")[0], ".") {
					t.Errorf("the root package imports %q: it may import only the standard library", imp)
				}
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if !slices.Contains(allowed, target) {
				t.Errorf("%s imports %s, which the architecture does not allow (allowed: %q)", pkg.ImportPath, imp, allowed)
			}
		}
	}
	if seen < len(allowedImports) {
		t.Errorf("go list saw %d packages, fewer than the %d in allowedImports: remove the ones that no longer exist", seen, len(allowedImports))
	}
}

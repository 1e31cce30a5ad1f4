package inventory

import (
	"encoding/json"
	"os"
	"path"
	"slices"
	"strings"
)

// packageJSON is the part of a package.json the inventory reads: the
// dependencies a project names (its roots), and an installed package's
// licence.
type packageJSON struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	License              json.RawMessage   `json:"license"`
	Licenses             json.RawMessage   `json:"licenses"`
}

// parsePackageJSON parses a package.json.
func parsePackageJSON(data []byte) (*packageJSON, error) {
	var p packageJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// readPackageJSON reads the package.json in dir (relative to the app's
// root), returning nil when there is none or it is unreadable: it only
// adds facts the lockfile lacks.
func readPackageJSON(app appDir, dir string) *packageJSON {
	data, err := app.read(path.Join(dir, "package.json"))
	if err != nil {
		return nil
	}
	p, err := parsePackageJSON(data)
	if err != nil {
		return nil
	}
	return p
}

// roots returns the names the project depends on, each with whether it
// is a dev dependency only. Production wins when a name is in both.
func (p *packageJSON) roots() map[string]bool {
	out := map[string]bool{}
	if p == nil {
		return out
	}
	for name := range p.DevDependencies {
		out[name] = true
	}
	for _, deps := range []map[string]string{p.Dependencies, p.OptionalDependencies, p.PeerDependencies} {
		for name := range deps {
			out[name] = false
		}
	}
	return out
}

// licenses returns the declared licences: the "license" string, or the
// old forms {"type": ...} and "licenses": [{"type": ...}].
func (p *packageJSON) licenses() []string {
	if p == nil {
		return nil
	}
	return append(declaredLicense(p.License), declaredLicenses(p.Licenses)...)
}

// declaredLicense reads a "license" value: a string or {"type": "MIT"}.
func declaredLicense(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return cleanLicenses(s)
	}
	var obj struct{ Type string }
	if json.Unmarshal(raw, &obj) == nil {
		return cleanLicenses(obj.Type)
	}
	return nil
}

// declaredLicenses reads the old "licenses" array of strings or objects.
func declaredLicenses(raw json.RawMessage) []string {
	var list []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		out = append(out, declaredLicense(item)...)
	}
	return out
}

// cleanLicenses trims licence values and drops empty ones.
func cleanLicenses(values ...string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// installedLicenses reads licences from installed packages when the
// lockfile does not carry them: the package.json at each node's install
// folder (relative to the app's root). It reads nothing when there is no
// node_modules folder beside the lockfile.
type installedLicenses struct {
	app     appDir
	enabled bool
}

func newInstalledLicenses(app appDir, lockDir string) installedLicenses {
	st, err := os.Stat(app.abs(path.Join(lockDir, "node_modules")))
	return installedLicenses{app: app, enabled: err == nil && st.IsDir()}
}

// read returns the licences declared by the package installed in dir, or
// nil when it is not installed or is another version.
func (l installedLicenses) read(dir, version string) []string {
	if !l.enabled {
		return nil
	}
	data, err := l.app.read(path.Join(dir, "package.json"))
	if err != nil {
		return nil
	}
	p, err := parsePackageJSON(data)
	if err != nil || (version != "" && p.Version != version) {
		return nil
	}
	return p.licenses()
}

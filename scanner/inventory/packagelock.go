package inventory

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/runwayhq/runway"
)

// npmLock is a package-lock.json or npm-shrinkwrap.json. Version 1 lists a
// nested "dependencies" tree; versions 2 and 3 list "packages" by install
// path ("node_modules/a/node_modules/b"), which is what this reads when
// present.
//
// The "resolved" and "integrity" fields are deliberately not required:
// npm's omit-lockfile-registry-resolved setting leaves "resolved" out, and
// such entries are still real registry packages (ADR 0006).
type npmLock struct {
	LockfileVersion int                   `json:"lockfileVersion"`
	Packages        map[string]npmPackage `json:"packages"`
	Dependencies    map[string]npmV1Entry `json:"dependencies"`
}

// npmPackage is one entry of "packages" (lockfile v2 and v3).
type npmPackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	License              json.RawMessage   `json:"license"`
	Link                 bool              `json:"link"`
	Dev                  bool              `json:"dev"`
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
}

// npmV1Entry is one entry of the "dependencies" tree (lockfile v1).
type npmV1Entry struct {
	Version      string                `json:"version"`
	Dev          bool                  `json:"dev"`
	Requires     map[string]string     `json:"requires"`
	Dependencies map[string]npmV1Entry `json:"dependencies"`
}

const npmFix = "Run `npm install` in that folder to write it again, then run the check again."

// extractPackageLock reads a package-lock.json or npm-shrinkwrap.json.
func extractPackageLock(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, npmFix, err)
	}
	g, err := parsePackageLock(data, rel, app)
	if err != nil {
		return nil, nil, unreadable(rel, npmFix, err)
	}
	return g.components(), []string{rel}, nil
}

// parsePackageLock parses data, the lockfile at rel. app gives access to
// the package.json beside it and to installed packages, for what the
// lockfile does not say (a zero appDir reads nothing).
func parsePackageLock(data []byte, rel string, app appDir) (*graph, error) {
	var lock npmLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, err
	}
	dir := path.Dir(rel)
	g := newGraph(npm, rel)
	g.devFlags = true
	installed := installedLicenses{}
	if app.root != "" {
		installed = newInstalledLicenses(app, dir)
	}
	if lock.Packages != nil {
		npmPackages(g, lock.Packages, dir, installed, app)
		return g, nil
	}
	flat := map[string]npmPackage{}
	flattenV1(lock.Dependencies, "", flat)
	if _, ok := flat[""]; !ok {
		flat[""] = v1Root(app, dir, flat)
	}
	npmPackages(g, flat, dir, installed, app)
	return g, nil
}

// npmPackages adds the entries of a "packages" map, keyed by install path,
// to g: every entry under node_modules is a package; the root ("") and
// workspace folders are the project, whose dependencies are the roots.
func npmPackages(g *graph, pkgs map[string]npmPackage, dir string, installed installedLicenses, app appDir) {
	nodes := map[string]*node{}
	for p, e := range pkgs {
		if !isInstallPath(p) || e.Link {
			continue
		}
		name, version := npmNameVersion(p, e)
		if name == "" || version == "" {
			continue
		}
		n := g.add(name, version, e.Dev)
		n.license(declaredLicense(e.License)...)
		if len(n.licenses) == 0 {
			n.license(installed.read(path.Join(dir, p), version)...)
		}
		nodes[p] = n
	}
	for p, e := range pkgs {
		from, project := nodes[p], !isInstallPath(p) && !e.Link
		if from == nil && !project {
			continue
		}
		for name, dev := range npmRequires(e, project) {
			to := nodes[npmResolve(pkgs, p, name)]
			if project {
				g.root(to, dev)
			} else {
				g.link(from, to)
			}
		}
	}
}

// npmRequires returns the names an entry requires, each with whether it
// is a dev dependency. Only a project's dev dependencies are installed, so
// they count for projects alone.
func npmRequires(e npmPackage, project bool) map[string]bool {
	out := map[string]bool{}
	if project {
		for name := range e.DevDependencies {
			out[name] = true
		}
	}
	for _, deps := range []map[string]string{e.Dependencies, e.OptionalDependencies, e.PeerDependencies} {
		for name := range deps {
			out[name] = false
		}
	}
	return out
}

// isInstallPath reports whether a "packages" key is an installed package
// rather than the project or one of its workspace folders.
func isInstallPath(p string) bool {
	return strings.HasPrefix(p, "node_modules/") || strings.Contains(p, "/node_modules/")
}

// npmNameVersion returns an entry's package name (its "name" for an alias,
// else the folder it is installed in) and version.
func npmNameVersion(p string, e npmPackage) (string, string) {
	name := e.Name
	if name == "" {
		name = p[strings.LastIndex(p, "node_modules/")+len("node_modules/"):]
	}
	return name, npmVersion(e.Version)
}

// npmVersion returns the version of a lockfile entry: the version for a
// registry package, the part after "@" of an alias ("npm:real@1.2.3"), the
// commit of a git dependency, and "" for a local folder or tarball.
func npmVersion(v string) string {
	switch {
	case strings.HasPrefix(v, "npm:"):
		return v[strings.LastIndex(v, "@")+1:]
	case strings.HasPrefix(v, "file:"), strings.HasPrefix(v, "link:"):
		return ""
	case strings.Contains(v, "#") && strings.Contains(v, ":"):
		return v[strings.LastIndex(v, "#")+1:]
	case strings.Contains(v, ":"):
		return ""
	}
	return v
}

// npmResolve finds the install path of name as required from the entry at
// from, the way Node looks it up: from's own node_modules, then each
// enclosing node_modules up to the project's.
func npmResolve(pkgs map[string]npmPackage, from, name string) string {
	base := from
	for {
		cand := path.Join(base, "node_modules", name)
		if e, ok := pkgs[cand]; ok && !e.Link {
			return cand
		}
		if base == "" {
			return ""
		}
		i := strings.LastIndex(base, "node_modules/")
		if i < 0 {
			base = ""
			continue
		}
		base = strings.TrimSuffix(base[:i], "/")
	}
}

// flattenV1 turns a v1 "dependencies" tree into "packages" form, keyed by
// install path, so that both versions resolve the same way.
func flattenV1(deps map[string]npmV1Entry, parent string, out map[string]npmPackage) {
	for name, e := range deps {
		p := path.Join(parent, "node_modules", name)
		pkg := npmPackage{Version: e.Version, Dev: e.Dev, Dependencies: e.Requires}
		if strings.HasPrefix(e.Version, "npm:") {
			pkg.Name = e.Version[4:strings.LastIndex(e.Version, "@")]
		}
		out[p] = pkg
		flattenV1(e.Dependencies, p, out)
	}
}

// v1Root is the project entry of a v1 lockfile, which does not list the
// project's own dependencies: they come from the package.json beside it
// or, without one, are the top-level entries nothing else requires.
func v1Root(app appDir, dir string, flat map[string]npmPackage) npmPackage {
	root := npmPackage{Dependencies: map[string]string{}, DevDependencies: map[string]string{}}
	if app.root != "" {
		if pj := readPackageJSON(app, dir); pj != nil {
			for name, dev := range pj.roots() {
				if dev {
					root.DevDependencies[name] = ""
				} else {
					root.Dependencies[name] = ""
				}
			}
			return root
		}
	}
	required := map[string]bool{}
	for _, e := range flat {
		for name := range e.Dependencies {
			required[name] = true
		}
	}
	for p, e := range flat {
		name := strings.TrimPrefix(p, "node_modules/")
		if strings.Contains(name, "node_modules/") || required[name] {
			continue
		}
		if e.Dev {
			root.DevDependencies[name] = ""
		} else {
			root.Dependencies[name] = ""
		}
	}
	return root
}

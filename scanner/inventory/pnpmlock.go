package inventory

import (
	"bytes"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
	"gopkg.in/yaml.v3"
)

// pnpmLock is a pnpm-lock.yaml. Version 9 keeps the graph in "snapshots"
// and the projects in "importers"; versions 5 and 6 keep it in "packages",
// with a "dev" flag, and a single project's dependencies at the top level.
type pnpmLock struct {
	LockfileVersion yaml.Node               `yaml:"lockfileVersion"`
	Importers       map[string]pnpmImporter `yaml:"importers"`
	Packages        map[string]pnpmPackage  `yaml:"packages"`
	Snapshots       map[string]pnpmPackage  `yaml:"snapshots"`
	pnpmImporter    `yaml:",inline"`
}

// pnpmImporter is one project: what it depends on, by section.
type pnpmImporter struct {
	Dependencies         map[string]pnpmRef `yaml:"dependencies"`
	DevDependencies      map[string]pnpmRef `yaml:"devDependencies"`
	OptionalDependencies map[string]pnpmRef `yaml:"optionalDependencies"`
}

// pnpmRef is the resolved version of a dependency: a plain string in
// lockfile v5, {specifier, version} from v6 on.
type pnpmRef string

func (r *pnpmRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*r = pnpmRef(n.Value)
		return nil
	}
	var v struct{ Version string }
	if err := n.Decode(&v); err != nil {
		return err
	}
	*r = pnpmRef(v.Version)
	return nil
}

// pnpmPackage is an entry of "packages" or "snapshots".
type pnpmPackage struct {
	Name                 string            `yaml:"name"`
	Version              string            `yaml:"version"`
	Dev                  *bool             `yaml:"dev"`
	Dependencies         map[string]string `yaml:"dependencies"`
	OptionalDependencies map[string]string `yaml:"optionalDependencies"`
}

const pnpmFix = "Run `pnpm install` in that folder to write it again, then run the check again."

// extractPnpmLock reads a pnpm-lock.yaml.
func extractPnpmLock(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, pnpmFix, err)
	}
	g, err := parsePnpmLock(data, rel)
	if err != nil {
		return nil, nil, unreadable(rel, pnpmFix, err)
	}
	dir := path.Dir(rel)
	installed := newInstalledLicenses(app, dir)
	for _, n := range g.nodes {
		n.license(installed.read(path.Join(dir, "node_modules", ".pnpm", pnpmStoreDir(n.name, n.version), "node_modules", n.name), n.version)...)
	}
	return g.components(), []string{rel}, nil
}

// pnpmStoreDir is the folder pnpm installs a package in under
// node_modules/.pnpm ("@types+ms@0.7.34").
func pnpmStoreDir(name, version string) string {
	return strings.ReplaceAll(name, "/", "+") + "@" + version
}

// parsePnpmLock parses a pnpm-lock.yaml. pnpm 9 may write two YAML
// documents (its own tool dependencies first); the project's is the last.
func parsePnpmLock(data []byte, source string) (*graph, error) {
	var lock pnpmLock
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for docs := 0; ; docs++ {
		var next pnpmLock
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			if docs == 0 {
				return nil, errors.New("the file is empty")
			}
			break
		}
		if err != nil {
			return nil, err
		}
		lock = next
	}
	version, _ := strconv.ParseFloat(strings.Trim(lock.LockfileVersion.Value, `'"`), 64)
	p := pnpmParser{g: newGraph(npm, source), version: version, byKey: map[string]*node{}}
	return p.build(lock), nil
}

// pnpmParser builds the graph of one lockfile.
type pnpmParser struct {
	g       *graph
	version float64
	byKey   map[string]*node
}

func (p *pnpmParser) build(lock pnpmLock) *graph {
	graphEntries := lock.Snapshots
	if p.version < 9 {
		graphEntries = lock.Packages
		p.g.devFlags = true
	}
	for key, e := range graphEntries {
		name, version := p.splitKey(key)
		if e.Name != "" && e.Version != "" {
			name, version = e.Name, e.Version
		}
		if name == "" || version == "" {
			continue
		}
		p.byKey[p.normalKey(key)] = p.g.add(name, version, e.Dev != nil && *e.Dev)
	}
	for key, e := range graphEntries {
		from := p.byKey[p.normalKey(key)]
		for _, deps := range []map[string]string{e.Dependencies, e.OptionalDependencies} {
			for name, ref := range deps {
				p.g.link(from, p.resolve(name, ref))
			}
		}
	}
	importers := lock.Importers
	if len(importers) == 0 {
		importers = map[string]pnpmImporter{".": lock.pnpmImporter}
	}
	for _, imp := range importers {
		for _, sec := range []struct {
			deps map[string]pnpmRef
			dev  bool
		}{{imp.Dependencies, false}, {imp.OptionalDependencies, false}, {imp.DevDependencies, true}} {
			for name, ref := range sec.deps {
				p.g.root(p.resolve(name, string(ref)), sec.dev)
			}
		}
	}
	return p.g
}

// resolve finds the node a dependency points at. ref is a version, maybe
// with a peer suffix ("4.3.4(supports-color@8.1.1)", "2.0.0_peer@1" in
// v5), or an alias or other package key ("string-width@4.2.3",
// "/string-width@4.2.3"). "link:" refs are workspace folders, not
// packages.
func (p *pnpmParser) resolve(name, ref string) *node {
	switch {
	case ref == "", strings.HasPrefix(ref, "link:"), strings.HasPrefix(ref, "file:"):
		return nil
	case isDigit(ref[0]):
		return p.byKey[p.normalKey(name+p.sep()+ref)]
	}
	return p.byKey[p.normalKey(ref)]
}

// sep separates a name from its version in package keys.
func (p *pnpmParser) sep() string {
	if p.version < 6 {
		return "/"
	}
	return "@"
}

// normalKey drops the leading slash and the peer-dependency suffix of a
// package key, so that keys and references compare equal.
func (p *pnpmParser) normalKey(key string) string {
	key = strings.TrimPrefix(key, "/")
	if i := strings.Index(key, "("); i >= 0 {
		key = key[:i]
	}
	if p.version < 6 {
		if i := strings.LastIndex(key, "/"); i >= 0 {
			if j := strings.Index(key[i:], "_"); j >= 0 {
				key = key[:i+j]
			}
		}
	}
	return key
}

// splitKey returns the package name and version of a package key:
// "@types/ms@0.7.34" (v6, v9) or "/@types/ms/0.7.34" (v5).
func (p *pnpmParser) splitKey(key string) (string, string) {
	key = p.normalKey(key)
	i := strings.LastIndex(key, p.sep())
	if i <= 0 {
		return "", ""
	}
	name, version := key[:i], key[i+1:]
	if version == "" || !isDigit(version[0]) {
		return "", ""
	}
	return name, version
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

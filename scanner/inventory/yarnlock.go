package inventory

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
	"gopkg.in/yaml.v3"
)

// yarnEntry is one package of a yarn.lock: the descriptors that resolve
// to it ("debug@^4.1.0"), its name, version, and the descriptors of its
// dependencies. Classic (v1) and Berry (v2+) lockfiles both come down to
// this.
type yarnEntry struct {
	specs   []string
	name    string
	version string
	// deps are descriptors: "ms@2.0.0" (classic), "ms@npm:2.0.0" (Berry).
	deps []string
	// workspace is the folder of a Berry workspace entry, which is the
	// project itself rather than a package.
	workspace string
	line      int
}

const yarnFix = "Run `yarn install` in that folder to write it again, then run the check again."

// extractYarnLock reads a yarn.lock, classic or Berry. A yarn.lock does
// not say which dependencies the project names or which are dev ones: the
// package.json beside it does.
func extractYarnLock(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, yarnFix, err)
	}
	var entries []yarnEntry
	if isBerry(data) {
		entries, err = parseBerryLock(data)
	} else {
		entries, err = parseYarnClassic(data)
	}
	if err != nil {
		return nil, nil, unreadable(rel, yarnFix, err)
	}
	dir := path.Dir(rel)
	g := yarnGraph(entries, rel, func(ws string) *packageJSON { return readPackageJSON(app, path.Join(dir, ws)) })
	installed := newInstalledLicenses(app, dir)
	for _, n := range g.nodes {
		n.license(installed.read(path.Join(dir, "node_modules", n.name), n.version)...)
	}
	return g.components(), []string{rel}, nil
}

// isBerry reports whether a yarn.lock is in Berry's YAML form.
func isBerry(data []byte) bool {
	return bytes.HasPrefix(data, []byte("__metadata:")) || bytes.Contains(data, []byte("\n__metadata:"))
}

// yarnGraph links the entries through their descriptors. The project's
// roots are the dependencies of its package.json (pkg reads the one in a
// workspace folder, "." for the project itself); in Berry lockfiles,
// every workspace entry is a project.
func yarnGraph(entries []yarnEntry, source string, pkg func(workspace string) *packageJSON) *graph {
	g := newGraph(npm, source)
	bySpec := map[string]*node{}
	for _, e := range entries {
		if e.workspace != "" || e.name == "" || e.version == "" {
			continue
		}
		n := g.add(e.name, e.version, false)
		for _, s := range e.specs {
			bySpec[s] = n
		}
	}
	lookup := func(spec string) *node {
		if n, ok := bySpec[spec]; ok {
			return n
		}
		name, rng := splitSpec(spec)
		return bySpec[name+"@npm:"+rng]
	}
	workspaces := 0
	for _, e := range entries {
		if e.workspace != "" {
			workspaces++
			yarnRoots(g, e.deps, pkg(e.workspace), lookup)
			continue
		}
		if e.name == "" || e.version == "" {
			continue
		}
		from := bySpec[e.specs[0]]
		for _, d := range e.deps {
			g.link(from, lookup(d))
		}
	}
	if workspaces == 0 {
		pj := pkg(".")
		if pj == nil {
			g.orphanRoots()
			return g
		}
		var deps []string
		for _, m := range []map[string]string{pj.Dependencies, pj.DevDependencies, pj.OptionalDependencies, pj.PeerDependencies} {
			for name, rng := range m {
				deps = append(deps, name+"@"+rng)
			}
		}
		yarnRoots(g, deps, pj, lookup)
	}
	return g
}

// yarnRoots marks the packages a project depends on as roots, dev when its
// package.json names them only as devDependencies.
func yarnRoots(g *graph, deps []string, pj *packageJSON, lookup func(string) *node) {
	dev := pj.roots()
	for _, d := range deps {
		name, _ := splitSpec(d)
		g.root(lookup(d), dev[name])
	}
}

// splitSpec splits a descriptor "name@range" after the name, which may be
// scoped ("@types/ms@^0.7").
func splitSpec(spec string) (name, rng string) {
	if i := strings.Index(spec[min(1, len(spec)):], "@"); i >= 0 {
		return spec[:i+1], spec[i+2:]
	}
	return spec, ""
}

// parseYarnClassic parses a classic (v1) yarn.lock: blocks headed by the
// descriptors that resolve to a package, with "version", and indented
// "dependencies" and "optionalDependencies" lists.
func parseYarnClassic(data []byte) ([]yarnEntry, error) {
	var entries []yarnEntry
	var cur *yarnEntry
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxFileSize)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(text) - len(trimmed)
		switch {
		case indent == 0:
			specs, err := yarnHeader(trimmed)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			entries = append(entries, yarnEntry{specs: specs, line: line})
			cur, block = &entries[len(entries)-1], ""
			cur.name, _ = splitSpec(specs[0])
		case cur == nil:
			return nil, fmt.Errorf("line %d: indented line before the first package", line)
		case indent == 2 && strings.HasSuffix(trimmed, ":"):
			block = strings.TrimSuffix(trimmed, ":")
		case indent == 2:
			key, value, err := yarnPair(trimmed)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if key == "version" {
				cur.version = value
			}
			block = ""
		case block == "dependencies" || block == "optionalDependencies":
			name, rng, err := yarnPair(trimmed)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			cur.deps = append(cur.deps, name+"@"+rng)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for i := range entries {
		entries[i].name = yarnAliasTarget(entries[i].specs[0], entries[i].name)
	}
	return entries, nil
}

// yarnHeader splits a block header ("a@^1", "a@~1.2":) into descriptors.
func yarnHeader(h string) ([]string, error) {
	if !strings.HasSuffix(h, ":") {
		return nil, fmt.Errorf("expected a package header ending in a colon")
	}
	var specs []string
	for _, part := range strings.Split(strings.TrimSuffix(h, ":"), ",") {
		s, err := yarnUnquote(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, fmt.Errorf("empty package descriptor")
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// yarnPair splits `key value` or `"key" "value"`.
func yarnPair(s string) (string, string, error) {
	var key string
	if strings.HasPrefix(s, `"`) {
		end := strings.Index(s[1:], `"`)
		if end < 0 {
			return "", "", fmt.Errorf("unterminated quoted string")
		}
		key, s = s[1:end+1], s[end+2:]
	} else {
		var ok bool
		if key, s, ok = strings.Cut(s, " "); !ok {
			return "", "", fmt.Errorf("expected a key and a value")
		}
	}
	value, err := yarnUnquote(strings.TrimSpace(s))
	return key, value, err
}

// yarnUnquote removes the double quotes around a value, if any.
func yarnUnquote(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		return "", fmt.Errorf("bad quoted string %s", s)
	}
	return v, nil
}

// yarnAliasTarget returns the real package name of an alias descriptor
// ("string-width-cjs@npm:string-width@^4") and name otherwise.
func yarnAliasTarget(spec, name string) string {
	_, rng := splitSpec(spec)
	if target, ok := strings.CutPrefix(rng, "npm:"); ok && strings.Contains(target[min(1, len(target)):], "@") {
		real, _ := splitSpec(target)
		return real
	}
	return name
}

// berryEntry is one package of a Berry (yarn 2+) lockfile.
type berryEntry struct {
	Version      string            `yaml:"version"`
	Resolution   string            `yaml:"resolution"`
	Dependencies map[string]string `yaml:"dependencies"`
	// OptionalDependencies appear in older Berry lockfiles; newer ones
	// list them under dependencies with dependenciesMeta.
	OptionalDependencies map[string]string `yaml:"optionalDependencies"`
}

// parseBerryLock parses a Berry yarn.lock, which is YAML keyed by the
// descriptors that resolve to each package ("ms@npm:2.0.0, ms@npm:^2.0").
// Workspace entries ("app@workspace:.") are the project itself.
func parseBerryLock(data []byte) ([]yarnEntry, error) {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		if k != "__metadata" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	entries := make([]yarnEntry, 0, len(keys))
	for _, k := range keys {
		node := doc[k]
		var b berryEntry
		if err := node.Decode(&b); err != nil {
			return nil, fmt.Errorf("line %d: %w", node.Line, err)
		}
		e, ok := berryToEntry(k, b)
		if !ok {
			continue
		}
		e.line = node.Line
		entries = append(entries, e)
	}
	return entries, nil
}

// berryToEntry turns a Berry entry into a yarnEntry. It returns false for
// entries that are not packages: links and portals to local folders.
func berryToEntry(key string, b berryEntry) (yarnEntry, bool) {
	e := yarnEntry{version: b.Version}
	for _, s := range strings.Split(key, ",") {
		if s = strings.TrimSpace(s); s != "" {
			e.specs = append(e.specs, s)
		}
	}
	if len(e.specs) == 0 {
		return e, false
	}
	res := b.Resolution
	if res == "" {
		res = e.specs[0]
	}
	name, protocol := splitSpec(res)
	switch {
	case strings.HasPrefix(protocol, "workspace:"):
		e.workspace = strings.TrimPrefix(protocol, "workspace:")
	case strings.HasPrefix(protocol, "link:"), strings.HasPrefix(protocol, "portal:"):
		return e, false
	}
	e.name = name
	for _, deps := range []map[string]string{b.Dependencies, b.OptionalDependencies} {
		for dep, rng := range deps {
			e.deps = append(e.deps, dep+"@"+rng)
		}
	}
	slices.Sort(e.deps)
	return e, true
}

package inventory

import (
	"path"
	"slices"

	"github.com/BurntSushi/toml"
	"github.com/runwayhq/runway"
)

// poetryLock is a poetry.lock.
type poetryLock struct {
	Package []poetryPackage `toml:"package"`
}

// poetryPackage is one [[package]] of a poetry.lock. Lock format 2.1
// (Poetry 2) lists the dependency groups that need it; format 1.x has a
// category ("main" or "dev"); format 2.0 has neither, so dev comes from
// the roots in pyproject.toml.
type poetryPackage struct {
	Name         string                    `toml:"name"`
	Version      string                    `toml:"version"`
	Category     string                    `toml:"category"`
	Groups       []string                  `toml:"groups"`
	Dependencies map[string]toml.Primitive `toml:"dependencies"`
}

const poetryFix = "Run `poetry lock` in that folder to write it again, then run the check again."

// extractPoetryLock reads a poetry.lock and, for which dependencies the
// project names itself, the pyproject.toml beside it.
func extractPoetryLock(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, poetryFix, err)
	}
	var roots map[string]bool
	if pp, err := app.read(path.Join(path.Dir(rel), "pyproject.toml")); err == nil {
		roots = pyprojectRoots(pp)
	}
	g, err := parsePoetryLock(data, rel, roots)
	if err != nil {
		return nil, nil, unreadable(rel, poetryFix, err)
	}
	return g.components(), []string{rel}, nil
}

// parsePoetryLock parses a poetry.lock. roots maps the normalised names
// the project depends on to whether they are dev dependencies only; nil
// when there is no pyproject.toml to say.
func parsePoetryLock(data []byte, source string, roots map[string]bool) (*graph, error) {
	var lock poetryLock
	if _, err := toml.Decode(string(data), &lock); err != nil {
		return nil, err
	}
	g := newGraph(pypi, source)
	byName := map[string][]*node{}
	for _, p := range lock.Package {
		if p.Name == "" || p.Version == "" {
			continue
		}
		dev := false
		switch {
		case len(p.Groups) > 0:
			g.devFlags = true
			dev = !slices.Contains(p.Groups, "main")
		case p.Category != "":
			g.devFlags = true
			dev = p.Category == "dev"
		}
		key := pep503(p.Name)
		byName[key] = append(byName[key], g.add(p.Name, p.Version, dev))
	}
	for _, p := range lock.Package {
		from := g.find(p.Name, p.Version)
		for dep := range p.Dependencies {
			for _, to := range byName[pep503(dep)] {
				g.link(from, to)
			}
		}
	}
	if roots == nil {
		g.orphanRoots()
		return g, nil
	}
	for name, dev := range roots {
		for _, n := range byName[name] {
			g.root(n, dev)
		}
	}
	return g, nil
}

// pyproject is the part of a pyproject.toml that names dependencies: PEP
// 621's [project], PEP 735's [dependency-groups] and Poetry's own tables.
type pyproject struct {
	Project struct {
		Dependencies         []string            `toml:"dependencies"`
		OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             struct {
		Poetry struct {
			Dependencies    map[string]toml.Primitive `toml:"dependencies"`
			DevDependencies map[string]toml.Primitive `toml:"dev-dependencies"`
			Group           map[string]struct {
				Dependencies map[string]toml.Primitive `toml:"dependencies"`
			} `toml:"group"`
		} `toml:"poetry"`
	} `toml:"tool"`
}

// pyprojectRoots returns the normalised names a pyproject.toml depends
// on, each with whether it is a dev dependency only (a dependency group
// other than Poetry's "main"). It returns nil when the file cannot be
// parsed or names no dependencies.
func pyprojectRoots(data []byte) map[string]bool {
	var pp pyproject
	if _, err := toml.Decode(string(data), &pp); err != nil {
		return nil
	}
	r := rootSet{}
	for _, req := range pp.Project.Dependencies {
		r.add(requirementName(req), false)
	}
	for _, reqs := range pp.Project.OptionalDependencies {
		for _, req := range reqs {
			r.add(requirementName(req), false)
		}
	}
	for _, reqs := range pp.DependencyGroups {
		for _, req := range reqs {
			if s, ok := req.(string); ok {
				r.add(requirementName(s), true)
			}
		}
	}
	for name := range pp.Tool.Poetry.Dependencies {
		if name != "python" {
			r.add(name, false)
		}
	}
	for name := range pp.Tool.Poetry.DevDependencies {
		r.add(name, true)
	}
	for group, g := range pp.Tool.Poetry.Group {
		for name := range g.Dependencies {
			r.add(name, group != "main")
		}
	}
	if len(r) == 0 {
		return nil
	}
	return r
}

// rootSet maps normalised names to dev-only; production wins.
type rootSet map[string]bool

func (r rootSet) add(name string, dev bool) {
	if name == "" {
		return
	}
	key := pep503(name)
	if prev, ok := r[key]; ok {
		dev = prev && dev
	}
	r[key] = dev
}

// pipfile is the part of a Pipfile that names dependencies.
type pipfile struct {
	Packages    map[string]toml.Primitive `toml:"packages"`
	DevPackages map[string]toml.Primitive `toml:"dev-packages"`
}

// pipfileRoots returns the normalised names a Pipfile depends on, each
// with whether it is a dev package only; nil when it cannot be parsed.
func pipfileRoots(data []byte) map[string]bool {
	var pf pipfile
	if _, err := toml.Decode(string(data), &pf); err != nil {
		return nil
	}
	r := rootSet{}
	for name := range pf.DevPackages {
		r.add(name, true)
	}
	for name := range pf.Packages {
		r.add(name, false)
	}
	return r
}

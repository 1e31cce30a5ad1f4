package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/package-url/packageurl-go"
)

// The fuzz targets feed every parser of outside input arbitrary bytes,
// seeded with the real lockfiles under testdata. Parsers may refuse input,
// never panic, and what they accept must be a consistent graph.

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// consistent checks a parsed graph: every package has a name and a purl,
// and every dependency points at a package of the graph.
func consistent(t *testing.T, g *graph) {
	t.Helper()
	purls := map[string]bool{}
	comps := g.components()
	for _, c := range comps {
		if c.Name == "" || c.PURL == "" {
			t.Fatalf("component without name or purl: %+v", c)
		}
		purls[c.PURL] = true
	}
	for _, c := range comps {
		for _, d := range c.DependsOn {
			if !purls[d] {
				t.Fatalf("%s depends on %s, which is not in the graph", c.PURL, d)
			}
		}
	}
}

func FuzzPackageLock(f *testing.F) {
	seed(f, "npm-v1/package-lock.json", "npm-v2/package-lock.json", "npm-v3/package-lock.json", "npm-v3-resolved/package-lock.json")
	f.Add([]byte(`{"lockfileVersion":3,"packages":{"":{"dependencies":{"a":"1"}},"node_modules/a":{"version":"npm:b@1.0.0"},"node_modules/a/node_modules/a":{"version":"1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := parsePackageLock(data, "package-lock.json", appDir{})
		if err == nil {
			consistent(t, g)
		}
	})
}

func FuzzYarnClassic(f *testing.F) {
	seed(f, "yarn-v1/yarn.lock")
	f.Add([]byte("\"a@npm:b@^1\", a@2:\n  version \"1.0.0\"\n  dependencies:\n    \"c\" \"^1\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseYarnClassic(data)
		if err == nil {
			consistent(t, yarnGraph(entries, "yarn.lock", func(string) *packageJSON { return nil }))
		}
	})
}

func FuzzBerryLock(f *testing.F) {
	seed(f, "yarn-berry/yarn.lock")
	f.Add([]byte("__metadata:\n  version: 8\n\"a@workspace:.\":\n  resolution: \"a@workspace:.\"\n  dependencies:\n    b: \"npm:1\"\n\"b@npm:1\":\n  version: 1.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseBerryLock(data)
		if err == nil {
			consistent(t, yarnGraph(entries, "yarn.lock", func(string) *packageJSON {
				return &packageJSON{DevDependencies: map[string]string{"b": "1"}}
			}))
		}
	})
}

func FuzzPnpmLock(f *testing.F) {
	seed(f, "pnpm-v6/pnpm-lock.yaml", "pnpm-v9/pnpm-lock.yaml")
	f.Add([]byte("lockfileVersion: 5.4\ndependencies:\n  a: 1.0.0_b@1\npackages:\n  /a/1.0.0_b@1:\n    dependencies:\n      b: /c/2.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := parsePnpmLock(data, "pnpm-lock.yaml")
		if err == nil {
			consistent(t, g)
		}
	})
}

func FuzzGoMod(f *testing.F) {
	seed(f, "go/go.mod")
	f.Add([]byte("module m\ngo 1.16\nrequire a.b/c v1.0.0\nreplace a.b/c => ./c\n"))
	sum := []byte("a.b/c v1.0.0 h1:x=\na.b/d v1.0.0 h1:y=\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		g, _, err := parseGoMod(data, sum, "go.mod")
		if err == nil {
			consistent(t, g)
		}
	})
}

func FuzzPoetryLock(f *testing.F) {
	seed(f, "python-poetry/poetry.lock")
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = [\"dev\"]\n[package.dependencies]\nb = {version = \"*\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := parsePoetryLock(data, "poetry.lock", map[string]bool{"requests": false, "pytest": true})
		if err == nil {
			consistent(t, g)
		}
	})
}

func FuzzPythonManifests(f *testing.F) {
	seed(f, "python-poetry/pyproject.toml", "python-pipenv/Pipfile")
	f.Add([]byte("[dependency-groups]\ntest = [\"pytest>=8\", {include-group = \"lint\"}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for name := range pyprojectRoots(data) {
			if name != pep503(name) {
				t.Fatalf("root %q is not normalised", name)
			}
		}
		pipfileRoots(data)
	})
}

func FuzzRequirementsVia(f *testing.F) {
	seed(f, "python-pip-compile/requirements.txt", "python-requirements/requirements.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		parseVia(data)
		for _, line := range strings.Split(string(data), "\n") {
			includeTarget(line)
			requirementName(line)
		}
	})
}

func FuzzPackageJSON(f *testing.F) {
	seed(f, "npm-v3/package.json")
	f.Add([]byte(`{"license":{"type":"MIT"},"licenses":[{"type":"ISC"},"BSD-2-Clause",3]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := parsePackageJSON(data); err == nil {
			p.roots()
			p.licenses()
		}
	})
}

// FuzzPURL holds the direct purl writer to the library's output.
func FuzzPURL(f *testing.F) {
	for _, s := range [][3]string{{"npm", "@types/ms", "0.7.34"}, {"Go", "github.com/x/y", "1.0.0+incompatible"}, {"PyPI", "Zope_Interface", "6.4"}, {"npm", "@@x/y", "1"}, {"Go", "a//b", ""}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, eco, name, version string) {
		typ := map[string]string{npm: "npm", golang: "golang", pypi: "pypi"}[eco]
		if typ == "" {
			return
		}
		ns, n := "", name
		if i := strings.LastIndex(name, "/"); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
		if fast, ok := plainPURL(typ, ns, n, version); ok {
			if lib := packageurl.NewPackageURL(typ, ns, n, version, nil, "").ToString(); fast != lib {
				t.Fatalf("plainPURL(%q, %q, %q, %q) = %q, the library says %q", typ, ns, n, version, fast, lib)
			}
		}
	})
}

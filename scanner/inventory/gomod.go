package inventory

import (
	"bufio"
	"bytes"
	"path"
	"strings"

	"github.com/runwayhq/runway"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

const goFix = "Run `go mod tidy` in that folder to repair it, then run the check again."

// extractGoMod reads a go.mod. Its requirements are the components: direct
// unless marked "// indirect", with replace directives applied. The module
// itself is not a component; the Go standard library is (ADR 0006): its
// version is the toolchain line's, else the go line's.
//
// Since Go 1.17, go.mod lists every module the build needs, so go.sum adds
// nothing. Before 1.17 it does not: the modules go.sum holds a full hash
// for (not just a go.mod hash) are added as indirect, at the highest
// version listed, as the Go command's minimal version selection would.
// go.mod does not say which module requires which, so Go components have
// no DependsOn or IntroducedBy.
func extractGoMod(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, goFix, err)
	}
	var sum []byte
	sumRel := path.Join(path.Dir(rel), "go.sum")
	if app.exists(sumRel) {
		if sum, err = app.read(sumRel); err != nil {
			return nil, nil, unreadable(sumRel, goFix, err)
		}
	}
	g, usedSum, err := parseGoMod(data, sum, rel)
	if err != nil {
		return nil, nil, unreadable(rel, goFix, err)
	}
	sources := []string{rel}
	if usedSum {
		sources = append(sources, sumRel)
	}
	return g.components(), sources, nil
}

// parseGoMod parses a go.mod and, for modules before Go 1.17, its go.sum.
// It reports whether go.sum contributed.
func parseGoMod(data, sum []byte, source string) (*graph, bool, error) {
	f, err := modfile.Parse(source, data, nil)
	if err != nil {
		return nil, false, err
	}
	g := newGraph(golang, source)
	g.devFlags = true // Go has no dev dependencies: every flag stays false.
	replaced := replacements(f)
	for _, r := range f.Require {
		mod, ok := replaced.apply(r.Mod.Path, r.Mod.Version)
		if !ok {
			continue
		}
		n := g.add(mod.Path, strings.TrimPrefix(mod.Version, "v"), false)
		if !r.Indirect {
			g.root(n, false)
		}
	}
	goVersion := ""
	if f.Go != nil {
		goVersion = f.Go.Version
	}
	if f.Toolchain != nil {
		goVersion = strings.TrimPrefix(strings.SplitN(f.Toolchain.Name, "-", 2)[0], "go")
	}
	if goVersion != "" {
		g.root(g.add("stdlib", stdlibVersion(goVersion), false), false)
	}
	usedSum := false
	if len(sum) > 0 && goVersion != "" && semver.Compare("v"+goVersion, "v1.17") < 0 {
		usedSum = addGoSum(g, sum, f, replaced)
	}
	return g, usedSum, nil
}

// stdlibVersion turns a go line's version into a release version: "1.22"
// was released as 1.22.0.
func stdlibVersion(v string) string {
	if strings.Count(v, ".") == 1 && strings.Trim(v, "0123456789.") == "" {
		return v + ".0"
	}
	return v
}

// addGoSum adds the modules go.sum holds a full hash for that go.mod does
// not require, at the highest version listed for each.
func addGoSum(g *graph, sum []byte, f *modfile.File, replaced replaceMap) bool {
	required := map[string]bool{}
	if f.Module != nil {
		required[f.Module.Mod.Path] = true
	}
	for _, r := range f.Require {
		required[r.Mod.Path] = true
	}
	highest := map[string]string{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(sum))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || strings.HasSuffix(fields[1], "/go.mod") || required[fields[0]] {
			continue
		}
		mod, v := fields[0], fields[1]
		if _, seen := highest[mod]; !seen {
			order = append(order, mod)
		}
		if semver.Compare(v, highest[mod]) > 0 {
			highest[mod] = v
		}
	}
	for _, mod := range order {
		if m, ok := replaced.apply(mod, highest[mod]); ok {
			g.add(m.Path, strings.TrimPrefix(m.Version, "v"), false)
		}
	}
	return len(order) > 0
}

// moduleVersion is a module path at a version.
type moduleVersion struct{ Path, Version string }

// replaceMap holds a go.mod's replace directives: by path and version, and
// by path alone for the ones that replace every version.
type replaceMap map[moduleVersion]moduleVersion

func replacements(f *modfile.File) replaceMap {
	out := replaceMap{}
	for _, r := range f.Replace {
		out[moduleVersion{r.Old.Path, r.Old.Version}] = moduleVersion{r.New.Path, r.New.Version}
	}
	return out
}

// apply returns what a requirement becomes after the replace directives,
// and false when it is replaced by a local folder, which is the app's own
// code rather than a dependency.
func (m replaceMap) apply(p, v string) (moduleVersion, bool) {
	to, ok := m[moduleVersion{p, v}]
	if !ok {
		to, ok = m[moduleVersion{p, ""}]
	}
	if !ok {
		return moduleVersion{p, v}, true
	}
	return to, to.Version != ""
}

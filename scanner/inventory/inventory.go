// Package inventory lists what an app is built from: it finds the
// lockfiles and manifests in the app's folder (package-lock.json,
// npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, go.mod, requirements*.txt,
// poetry.lock, Pipfile.lock) and turns them into one runway.Inventory, with
// direct and transitive, dev and production dependencies marked, licences
// where the lockfile or the installed packages declare them, and the
// dependency graph where the lockfile tells it.
//
// It reads files only: it never runs a package manager or reaches the
// network. It imports the root package and no other Runway package; the
// check runner calls Scan and shares the result with every check.
package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
)

// maxFileSize bounds a lockfile. The largest real monorepo lockfiles are a
// few tens of megabytes; anything larger is refused rather than read.
const maxFileSize = 64 << 20

// extractFunc reads one kind of lockfile at rel (slash-separated, relative to
// the app's root) and returns its components and the files it read.
type extractFunc func(app appDir, rel string) ([]runway.Component, []string, error)

// kindOf returns the extractor of a file by its base name, or nil.
func kindOf(base string) extractFunc {
	switch base {
	case "package-lock.json", "npm-shrinkwrap.json":
		return extractPackageLock
	case "yarn.lock":
		return extractYarnLock
	case "pnpm-lock.yaml":
		return extractPnpmLock
	case "go.mod":
		return extractGoMod
	case "poetry.lock":
		return extractPoetryLock
	case "Pipfile.lock":
		return extractPipfileLock
	}
	if isRequirementsFile(base) {
		return extractRequirements
	}
	return nil
}

// skipDir reports whether a folder is left out of the search: installed
// packages, vendored code, virtual environments, and hidden folders (.git,
// .runway, .venv, .yarn).
func skipDir(name string) bool {
	switch name {
	case "node_modules", "vendor", "venv", "__pycache__", "bower_components":
		return true
	}
	return strings.HasPrefix(name, ".")
}

// Scan lists the dependencies of the app in dir. A lockfile it cannot read
// is an error (a *runway.Error saying which file and how to repair it):
// an inventory that silently misses a lockfile would hide vulnerable
// packages.
func Scan(dir string) (*runway.Inventory, error) {
	app, err := openApp(dir)
	if err != nil {
		return nil, err
	}
	files, err := find(app)
	if err != nil {
		return nil, err
	}
	inv := &runway.Inventory{Components: []runway.Component{}, Sources: []string{}}
	for _, rel := range files {
		comps, sources, err := kindOf(path.Base(rel))(app, rel)
		if err != nil {
			return nil, err
		}
		inv.Components = append(inv.Components, comps...)
		inv.Sources = append(inv.Sources, sources...)
	}
	inv.Components = merge(inv.Components)
	slices.Sort(inv.Sources)
	inv.Sources = slices.Compact(inv.Sources)
	return inv, nil
}

// find returns the lockfiles under the app's root, sorted. Where npm would
// ignore a package-lock.json because an npm-shrinkwrap.json sits beside
// it, so does find.
func find(app appDir) ([]string, error) {
	var out []string
	err := filepath.WalkDir(app.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != app.root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || kindOf(d.Name()) == nil {
			return nil
		}
		rel, err := filepath.Rel(app.root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search %s for lockfiles: %w", app.root, err)
	}
	out = slices.DeleteFunc(out, func(rel string) bool {
		return path.Base(rel) == "package-lock.json" && slices.Contains(out, path.Join(path.Dir(rel), "npm-shrinkwrap.json"))
	})
	slices.Sort(out)
	return out, nil
}

// appDir is the app's root folder; every path the extractors use is
// slash-separated and relative to it.
type appDir struct{ root string }

func openApp(dir string) (appDir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return appDir{}, fmt.Errorf("resolve %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil || !st.IsDir() {
		return appDir{}, runway.Errorf(runway.EINVALID, "%s is not a folder: give the path of your app's folder", dir)
	}
	return appDir{root: abs}, nil
}

// abs returns the absolute path of rel.
func (a appDir) abs(rel string) string {
	return filepath.Join(a.root, filepath.FromSlash(rel))
}

// read returns the content of rel, refusing files over maxFileSize and
// paths that leave the app's folder ("node_modules/../../x" from a
// crafted lockfile).
func (a appDir) read(rel string) ([]byte, error) {
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("read %s: %w", rel, fs.ErrInvalid)
	}
	f, err := os.Open(a.abs(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if len(data) > maxFileSize {
		return nil, runway.Errorf(runway.EINVALID, "%s is larger than %d MB, the most Runway reads from one lockfile. Check that it is a real lockfile; split the project if it truly is this large.", rel, maxFileSize>>20)
	}
	return data, nil
}

// exists reports whether rel is a regular file.
func (a appDir) exists(rel string) bool {
	st, err := os.Stat(a.abs(rel))
	return err == nil && st.Mode().IsRegular()
}

// unreadable is the error for a lockfile that cannot be parsed: which
// file, what is wrong, and how to write it again.
func unreadable(rel, fix string, err error) error {
	var re *runway.Error
	if errors.As(err, &re) {
		return err
	}
	return &runway.Error{
		Code:    runway.EINVALID,
		Message: fmt.Sprintf("%s could not be read (%s), so Runway cannot list your app's dependencies. %s", rel, redact(err.Error()), fix),
	}
}

var quotedValue = regexp.MustCompile("`[^`]*`")

// redact hides the values a parser quotes in its errors (YAML's "cannot
// unmarshal !!str `...`"): a lockfile may hold a credential in a URL, and
// a value read from a file never reaches a message.
func redact(msg string) string {
	return quotedValue.ReplaceAllString(msg, "`…`")
}

// merge folds components that are the same package from the same file
// (a requirements file included by two others, say) into one, and sorts
// the result by ecosystem, name, version and file, so that two scans of
// the same folder give the same inventory.
//
// Merged, a component is direct if any occurrence is, and dev only if
// every occurrence is.
func merge(comps []runway.Component) []runway.Component {
	type key struct{ source, purl string }
	at := map[key]int{}
	out := comps[:0:0]
	for _, c := range comps {
		k := key{c.Source, c.PURL}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, c)
			continue
		}
		m := &out[i]
		m.Direct = m.Direct || c.Direct
		m.Dev = m.Dev && c.Dev
		m.Licenses = union(m.Licenses, c.Licenses)
		m.DependsOn = union(m.DependsOn, c.DependsOn)
		m.IntroducedBy = union(m.IntroducedBy, c.IntroducedBy)
	}
	for i := range out {
		if out[i].Direct {
			out[i].IntroducedBy = nil
		}
		if out[i].Licenses == nil {
			out[i].Licenses = []string{}
		}
	}
	slices.SortFunc(out, compare)
	return out
}

// compare orders components by ecosystem, name, version, file and purl.
func compare(a, b runway.Component) int {
	return cmp.Or(
		cmp.Compare(a.Ecosystem, b.Ecosystem),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Version, b.Version),
		cmp.Compare(a.Source, b.Source),
		cmp.Compare(a.PURL, b.PURL),
	)
}

// union returns the sorted, duplicate-free union of a and b; nil when both
// are empty.
func union(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

package sast

import (
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// skipDirs are never scanned: dependencies, generated output, Runway's own
// artifacts and version control.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, ".git": true, ".runway": true,
	".venv": true, "venv": true, "__pycache__": true, ".tox": true,
	"dist": true, "build": true, "coverage": true, ".next": true, ".nuxt": true,
	"bower_components": true, "jspm_packages": true,
}

// testDirs hold tests, which never run in production; findings there are
// noise for the people Runway serves.
var testDirs = map[string]bool{"test": true, "tests": true, "__tests__": true, "spec": true, "testdata": true}

// maxSourceBytes bounds a file the engine reads: anything larger is
// generated or bundled code.
const maxSourceBytes = 1 << 20

// appFiles are the files of an app that the scanners read, relative to the
// app's folder with forward slashes, sorted.
type appFiles struct {
	// sources lists JavaScript, TypeScript and Python files by language.
	sources map[string][]string
	// goFiles counts Go files; goModules lists the folders holding a
	// go.mod, and goDirs the folders holding Go files (tests aside).
	goFiles   int
	goModules []string
	goDirs    []string
	// packageJSON lists the package.json files.
	packageJSON []string
	// skipped counts files left out for their size or because they are
	// minified bundles.
	skipped int
}

// listFiles walks the app in dir.
func listFiles(ctx context.Context, dir string) (*appFiles, error) {
	out := &appFiles{sources: map[string][]string{}}
	goDirs := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			if rel != "." && (skipDirs[name] || testDirs[name] || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks may lead outside the app
		}
		out.add(rel, name, d, goDirs)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d := range goDirs {
		out.goDirs = append(out.goDirs, d)
	}
	sort.Strings(out.goDirs)
	sort.Strings(out.goModules)
	sort.Strings(out.packageJSON)
	for _, list := range out.sources {
		sort.Strings(list)
	}
	return out, nil
}

// add files one regular file.
func (f *appFiles) add(rel, name string, d fs.DirEntry, goDirs map[string]bool) {
	switch name {
	case "go.mod":
		f.goModules = append(f.goModules, path.Dir(rel))
		return
	case "package.json":
		f.packageJSON = append(f.packageJSON, rel)
		return
	}
	lang := languageOf(name)
	if lang == "" || isTestFile(name) {
		return
	}
	if lang == langGo {
		f.goFiles++
		goDirs[path.Dir(rel)] = true
		return
	}
	if info, err := d.Info(); err != nil || info.Size() > maxSourceBytes || isBundle(name) {
		f.skipped++
		return
	}
	f.sources[lang] = append(f.sources[lang], rel)
}

// isTestFile reports test files by the naming conventions of each
// language's test runners.
func isTestFile(name string) bool {
	lower := strings.ToLower(name)
	base := strings.TrimSuffix(lower, path.Ext(lower))
	switch {
	case strings.HasSuffix(base, ".test"), strings.HasSuffix(base, ".spec"),
		strings.HasSuffix(base, "_test"), strings.HasPrefix(base, "test_"), base == "conftest":
		return true
	}
	return false
}

// isBundle reports minified or bundled files by name.
func isBundle(name string) bool {
	lower := strings.ToLower(name)
	return strings.Contains(lower, ".min.") || strings.Contains(lower, ".bundle.") || strings.Contains(lower, ".chunk.")
}

// count returns how many source files of each language there are.
func (f *appFiles) count() map[string]int {
	out := map[string]int{}
	for lang, list := range f.sources {
		out[lang] = len(list)
	}
	if f.goFiles > 0 {
		out[langGo] = f.goFiles
	}
	return out
}

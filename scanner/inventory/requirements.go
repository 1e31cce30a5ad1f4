package inventory

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/runwayhq/runway"
)

const requirementsFix = "Check the file for a typo, or write it again with `pip freeze > requirements.txt` or `pip-compile`, then run the check again."

// isRequirementsFile reports whether a file name is a pip requirements
// file: requirements.txt, requirements-dev.txt, dev-requirements.txt.
func isRequirementsFile(base string) bool {
	return strings.HasSuffix(base, ".txt") && strings.Contains(base, "requirements")
}

// isDevRequirements reports whether a requirements file holds development
// tools only, by its name: requirements-dev.txt, test-requirements.txt.
func isDevRequirements(rel string) bool {
	words := strings.FieldsFunc(strings.ToLower(strings.TrimSuffix(path.Base(rel), ".txt")), func(r rune) bool {
		return r == '-' || r == '_' || r == '.'
	})
	for _, w := range words {
		switch w {
		case "dev", "develop", "development", "test", "tests", "testing", "lint", "docs", "ci":
			return true
		}
	}
	return false
}

// extractRequirements reads a requirements file with osv-scalibr's
// extractor, which follows "-r" includes and understands continuation
// lines, extras, markers and hashes. A requirement is pinned only by "=="
// or "==="; any other range leaves the version empty, because the
// installed version is not known.
//
// Every requirement is direct, unless the file was written by pip-compile:
// then its "# via" comments tell which requirements came from the input
// file (direct) and which package pulled in each other one.
func extractRequirements(app appDir, rel string) ([]runway.Component, []string, error) {
	if err := checkIncludes(app, rel, map[string]bool{}); err != nil {
		return nil, nil, err
	}
	pkgs, err := scalibrRequirements(app, rel)
	if err != nil {
		return nil, nil, unreadable(rel, requirementsFix, err)
	}
	dev := isDevRequirements(rel)
	byFile := map[string][]*extractor.Package{}
	var files []string
	for _, p := range pkgs {
		f := writtenIn(p, rel)
		if _, ok := byFile[f]; !ok {
			files = append(files, f)
		}
		byFile[f] = append(byFile[f], p)
	}
	var comps []runway.Component
	for _, f := range files {
		via := map[string][]string{}
		if data, err := app.read(f); err == nil {
			via = parseVia(data)
		}
		comps = append(comps, requirementsGraph(byFile[f], f, dev, via).components()...)
	}
	if !slices.Contains(files, rel) {
		files = append(files, rel)
	}
	return comps, files, nil
}

// scalibrRequirements runs osv-scalibr's requirements extractor on rel.
func scalibrRequirements(app appDir, rel string) ([]*extractor.Package, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(app.abs(rel))
	if err != nil {
		return nil, err
	}
	ex, err := requirements.New(nil)
	if err != nil {
		return nil, err
	}
	inv, err := ex.Extract(context.Background(), &filesystem.ScanInput{
		FS:     scalibrfs.DirFS(app.root),
		Path:   rel,
		Root:   app.root,
		Info:   info,
		Reader: bytes.NewReader(data),
	})
	if err != nil {
		return nil, err
	}
	return inv.Packages, nil
}

// writtenIn returns the file a requirement is written in: the included
// file for one that came through "-r", else the file read.
func writtenIn(p *extractor.Package, rel string) string {
	loc := p.Location.Descriptor
	if len(p.Location.Related) > 0 {
		loc = &p.Location.Related[0]
	}
	if f := filepath.ToSlash(loc.PathOrEmpty()); f != "" {
		return path.Clean(f)
	}
	return rel
}

// requirementsGraph builds the graph of the requirements written in one
// file. via maps normalised names to their pip-compile "# via" entries;
// without any, every requirement is direct.
func requirementsGraph(pkgs []*extractor.Package, source string, dev bool, via map[string][]string) *graph {
	g := newGraph(pypi, source)
	g.devFlags = true
	byName := map[string]*node{}
	for _, p := range pkgs {
		version := ""
		if m, ok := p.Metadata.(*requirements.Metadata); ok && (m.VersionComparator == "==" || m.VersionComparator == "===") {
			version = p.Version
		}
		byName[pep503(p.Name)] = g.add(p.Name, version, dev)
	}
	for name, n := range byName {
		parents, compiled := via[name]
		if len(via) == 0 || !compiled {
			g.root(n, dev)
			continue
		}
		for _, parent := range parents {
			switch {
			case strings.HasPrefix(parent, "-r"):
				g.root(n, dev)
			case !strings.HasPrefix(parent, "-"):
				g.link(byName[pep503(parent)], n)
			}
		}
	}
	return g
}

// parseVia reads pip-compile's annotations: "# via flask" or "# via" then
// "#   flask" lines under a requirement, or "flask==3.0  # via -r in.txt,
// gunicorn" on one line. It returns each requirement's normalised name
// with the entries that pulled it in.
func parseVia(data []byte) map[string][]string {
	out := map[string][]string{}
	current, inVia := "", false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxFileSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		body, comment, hasComment := strings.Cut(line, "#")
		body, comment = strings.TrimSpace(body), strings.TrimSpace(comment)
		if body != "" {
			current, inVia = "", false
			if !strings.HasPrefix(body, "-") {
				current = pep503(requirementName(body))
			}
		}
		if !hasComment || current == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(comment, "via"); ok && (rest == "" || rest[0] == ' ') {
			inVia = true
			out[current] = append(out[current], viaEntries(rest)...)
			continue
		}
		if inVia && body == "" && comment != "" {
			out[current] = append(out[current], viaEntries(comment)...)
		}
	}
	return out
}

// viaEntries splits "-r requirements.in, flask" into its entries.
func viaEntries(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.HasPrefix(e, "(") {
			out = append(out, e)
		}
	}
	return out
}

// requirementName returns the project name at the start of a requirement
// line ("Flask[async]==3.0 ; python_version > '3'" → "Flask").
func requirementName(line string) string {
	end := strings.IndexFunc(line, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
	if end < 0 {
		return line
	}
	return line[:end]
}

// checkIncludes makes sure every file rel includes with "-r" exists inside
// the app's folder, recursively: pip would fail on a missing one, and the
// inventory would silently miss its packages.
func checkIncludes(app appDir, rel string, seen map[string]bool) error {
	if seen[rel] {
		return nil
	}
	seen[rel] = true
	data, err := app.read(rel)
	if err != nil {
		return unreadable(rel, requirementsFix, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxFileSize)
	for line := 1; sc.Scan(); line++ {
		target, ok := includeTarget(sc.Text())
		if !ok {
			continue
		}
		inc := path.Join(path.Dir(rel), filepath.ToSlash(target))
		if !fs.ValidPath(inc) || !app.exists(inc) {
			return runway.Errorf(runway.EINVALID, "%s includes %s (line %d), which is not a file inside your app's folder, so Runway cannot list the packages it names. Add that file to the app, or remove the line.", rel, target, line)
		}
		if err := checkIncludes(app, inc, seen); err != nil {
			return err
		}
	}
	return nil
}

// includeTarget returns the file a "-r file" or "--requirement file" line
// includes.
func includeTarget(line string) (string, bool) {
	line, _, _ = strings.Cut(strings.TrimSpace(line), " #")
	for _, opt := range []string{"--requirement", "-r"} {
		if rest, ok := strings.CutPrefix(line, opt); ok {
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "="))
			return rest, rest != ""
		}
	}
	return "", false
}

package inventory

import (
	"bytes"
	"context"
	"path"
	"slices"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/osv"
	"github.com/runwayhq/runway"
)

const pipenvFix = "Run `pipenv lock` in that folder to write it again, then run the check again."

// extractPipfileLock reads a Pipfile.lock with osv-scalibr's extractor,
// which gives each package and whether it is in the "develop" section.
// The lock does not say which packages the project names itself: the
// Pipfile beside it does. Without one, every package counts as direct.
// Pipfile.lock holds no dependency graph.
func extractPipfileLock(app appDir, rel string) ([]runway.Component, []string, error) {
	data, err := app.read(rel)
	if err != nil {
		return nil, nil, unreadable(rel, pipenvFix, err)
	}
	pkgs, err := scalibrPipfileLock(data, rel)
	if err != nil {
		return nil, nil, unreadable(rel, pipenvFix, err)
	}
	var roots map[string]bool
	if pf, err := app.read(path.Join(path.Dir(rel), "Pipfile")); err == nil {
		roots = pipfileRoots(pf)
	}
	return pipfileGraph(pkgs, rel, roots).components(), []string{rel}, nil
}

// scalibrPipfileLock runs osv-scalibr's Pipfile.lock extractor on data.
func scalibrPipfileLock(data []byte, rel string) ([]*extractor.Package, error) {
	ex, err := pipfilelock.New(nil)
	if err != nil {
		return nil, err
	}
	inv, err := ex.Extract(context.Background(), &filesystem.ScanInput{Path: rel, Reader: bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	return inv.Packages, nil
}

// pipfileGraph builds the graph of a Pipfile.lock's packages; roots are
// the Pipfile's (nil when there is none).
func pipfileGraph(pkgs []*extractor.Package, source string, roots map[string]bool) *graph {
	g := newGraph(pypi, source)
	g.devFlags = true
	for _, p := range pkgs {
		dev := false
		if m, ok := p.Metadata.(*osv.DepGroupMetadata); ok {
			dev = slices.Contains(m.DepGroupVals, "dev")
		}
		n := g.add(p.Name, p.Version, dev)
		rootDev, named := roots[pep503(p.Name)]
		switch {
		case roots == nil:
			g.root(n, dev)
		case named:
			g.root(n, rootDev)
		}
	}
	return g
}

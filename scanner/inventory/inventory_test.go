package inventory

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/runwayhq/runway/runwaytest"
)

// fixtures are real lockfiles written on this machine by npm 11, yarn 1
// and 4, pnpm 8 and 9 and the go command; the Python ones follow their
// tools' formats by hand (PyPI is out of reach here).
var fixtures = []string{
	"go", "npm-shrinkwrap", "npm-v1", "npm-v2", "npm-v3", "npm-v3-resolved",
	"pnpm-v6", "pnpm-v9", "python-pip-compile", "python-pipenv", "python-poetry",
	"python-requirements", "yarn-berry", "yarn-v1",
}

// TestScanGolden keeps the inventory of every fixture in a golden file.
func TestScanGolden(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inv, err := Scan(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(inv, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			runwaytest.Golden(t, filepath.Join("testdata", "golden", name+".json.golden"), append(got, '\n'))
		})
	}
}

func TestFixturesListed(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() && e.Name() != "golden" && e.Name() != "fuzz" && e.Name() != "bench" {
			n++
		}
	}
	if n != len(fixtures) {
		t.Errorf("testdata has %d fixture folders, the test lists %d: add the new one to fixtures", n, len(fixtures))
	}
}

package manifest_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/yamlfile"
)

// FuzzParse feeds arbitrary bytes to the parser: it must never panic, every
// failure must be a positioned *yamlfile.Error, and every accepted manifest
// must survive a round trip through its JSON form unchanged.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		if err != nil {
			var ye *yamlfile.Error
			if !errors.As(err, &ye) || len(ye.Problems) == 0 {
				t.Fatalf("error without problems: %T %v", err, err)
			}
			return
		}
		js, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := manifest.Parse(js) // JSON is YAML
		if err != nil {
			t.Fatalf("accepted manifest does not parse again: %v\n%s", err, js)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip changed the manifest:\n%s", diff)
		}
	})
}

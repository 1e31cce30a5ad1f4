// Package runwaytest holds helpers shared by Runway's tests: golden files
// and, later, the conformance suites every implementation of an interface
// runs. Only _test.go files import it.
package runwaytest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Golden compares got with the file at path, relative to the test's
// package. With -update it writes got to the file instead.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run the test with -update to create it): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output (-want +got); run with -update if the change is intended:\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

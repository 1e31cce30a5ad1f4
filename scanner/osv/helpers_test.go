package osv

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// fixedNow is the time every test database is imported at.
var fixedNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

// zipEntry is one file of a test archive.
type zipEntry struct {
	name string
	data []byte
}

// zipOf builds a zip archive, as osv.dev's all.zip is built: deflated JSON
// files at the top level.
func zipOf(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// advisories returns the test advisories of the given ecosystems (all when
// none are named) as archive entries named ID.json.
func advisories(t testing.TB, ecosystems ...string) []zipEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "advisories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []zipEntry
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseRecord(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(ecosystems) == 0 || slices.ContainsFunc(r.ecosystems(), func(e string) bool { return slices.Contains(ecosystems, e) }) {
			out = append(out, zipEntry{filepath.Base(f), data})
		}
	}
	return out
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// testDB imports the test advisories into a new database and returns its
// folder.
func testDB(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vulndb")
	im := &Importer{Dir: dir, Now: clock(fixedNow)}
	if _, err := im.Import(context.Background(), filepath.Join("testdata", "advisories")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot reads every file of a folder, to compare before and after.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

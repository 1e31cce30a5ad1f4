package osv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runwayhq/runway"
)

func TestImportFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "db")
	res, err := (&Importer{Dir: dir, Now: clock(fixedNow)}).Import(context.Background(), filepath.Join("testdata", "advisories"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int{}
	for _, e := range res.Ecosystems {
		got[e.Ecosystem] = [3]int{e.Records, e.Withdrawn, e.Packages}
		if !e.Updated.Equal(fixedNow) || e.Source != "advisories" {
			t.Errorf("%s: updated %v, source %q", e.Ecosystem, e.Updated, e.Source)
		}
	}
	want := map[string][3]int{"Go": {2, 0, 4}, "Maven": {2, 0, 2}, "PyPI": {4, 0, 4}, "npm": {10, 1, 9}}
	if diff := cmp.Diff(want, got); diff != "" || res.Records != 18 {
		t.Errorf("records %d; ecosystems (-want +got):\n%s", res.Records, diff)
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Lookups compare names as the ecosystem does.
	for _, name := range []string{"PyYAML", "pyyaml", "PYYAML"} {
		if recs, _ := db.Lookup("PyPI", name); len(recs) != 1 {
			t.Errorf("PyPI %s: %d records", name, len(recs))
		}
	}
	if recs, _ := db.Lookup("npm", "PyYAML"); len(recs) != 0 {
		t.Errorf("an npm lookup found PyPI records")
	}
	// A record affecting two packages is split per package.
	recs, _ := db.Lookup("npm", "lodash-es")
	if len(recs) != 1 || len(recs[0].Affected) != 1 || recs[0].Affected[0].Name != "lodash-es" {
		t.Errorf("lodash-es: %+v", recs)
	}
}

func TestImportArchiveAndFiles(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	archive := writeFile(t, tmp, "npm/all.zip", zipOf(t, advisories(t, "npm")...))
	single := writeFile(t, tmp, "one.json", readAdvisory(t, "GHSA-8q59-q68h-6hv4"))
	dir := filepath.Join(tmp, "db")
	res, err := (&Importer{Dir: dir}).Import(context.Background(), archive, single)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 11 || len(res.Ecosystems) != 2 {
		t.Errorf("imported %d records into %d ecosystems, want 11 into 2", res.Records, len(res.Ecosystems))
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ms, _ := db.Matches("npm", "lodash", "4.17.15"); len(ms) != 3 {
		t.Errorf("lodash 4.17.15 matches %d advisories, want 3", len(ms))
	}
}

// TestImportMerges: a newer version of a record replaces the stored one,
// in every ecosystem it used to affect.
func TestImportMerges(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "db")
	im := &Importer{Dir: dir}
	v1 := `{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z", "affected": [
		{"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.0"}]}]},
		{"package": {"ecosystem": "PyPI", "name": "left-pad"}, "versions": ["1.0"]}]}`
	v2 := `{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-02-01T00:00:00Z", "affected": [
		{"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]}`
	if _, err := im.Import(context.Background(), writeFile(t, tmp, "v1/a.json", []byte(v1)), filepath.Join("testdata", "advisories")); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Import(context.Background(), writeFile(t, tmp, "v2/a.json", []byte(v2))); err != nil {
		t.Fatal(err)
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ms, _ := db.Matches("npm", "left-pad", "1.2.0"); len(ms) != 1 || ms[0].Fixed != "1.3.0" {
		t.Errorf("npm left-pad 1.2.0: %+v, want the second version of the record", ms)
	}
	if ms, _ := db.Matches("PyPI", "left-pad", "1.0"); len(ms) != 0 {
		t.Errorf("PyPI left-pad still matches a record that no longer affects it")
	}
	if ms, _ := db.Matches("npm", "lodash", "4.17.15"); len(ms) != 3 {
		t.Errorf("the other records were lost: lodash matches %d", len(ms))
	}
}

// TestFailedImportKeepsDatabase: an import that fails half-way changes
// nothing and leaves no temporary files.
func TestFailedImportKeepsDatabase(t *testing.T) {
	t.Parallel()
	dir := testDB(t)
	before := snapshot(t, dir)
	tmp := t.TempDir()
	writeFile(t, tmp, "src/a-good.json", readAdvisory(t, "GHSA-8q59-q68h-6hv4"))
	writeFile(t, tmp, "src/b-bad.json", []byte(`{"id": "X-1", "modified": "last week"}`))
	_, err := (&Importer{Dir: dir}).Import(context.Background(), filepath.Join(tmp, "src"))
	if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), "b-bad.json is not a valid OSV record") {
		t.Fatalf("error %v, want EINVALID naming b-bad.json", err)
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("the database changed (-before +after):\n%.2000s", diff)
	}
}

func TestImportRemovesLeftovers(t *testing.T) {
	t.Parallel()
	dir := testDB(t)
	old := writeFile(t, dir, ".npm.osvdb.tmp-123", []byte("half written"))
	recent := writeFile(t, dir, ".download-456.zip", []byte("downloading"))
	os.Chtimes(old, fixedNow, fixedNow.Add(-48*time.Hour))
	if _, err := (&Importer{Dir: dir}).Import(context.Background(), filepath.Join("testdata", "advisories", "MAL-2022-1.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("an old leftover was kept")
	}
	if _, err := os.Stat(recent); err != nil {
		t.Error("a recent temporary file (of an import still running?) was removed")
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	big := writeFile(t, tmp, "big.json", []byte(`{"id": "X", "details": "`+strings.Repeat("x", MaxRecordSize)+`"}`))
	tests := []struct {
		name    string
		sources []string
		want    string
	}{
		{"nothing", nil, "nothing to import"},
		{"missing", []string{filepath.Join(tmp, "nope.json")}, "cannot read"},
		{"too large", []string{big}, "more than the limit"},
		{"zip that is not one", []string{writeFile(t, tmp, "fake.zip", []byte("not a zip"))}, "not a readable zip archive"},
	}
	for _, tt := range tests {
		_, err := (&Importer{Dir: filepath.Join(tmp, "db")}).Import(context.Background(), tt.sources...)
		if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want EINVALID containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "db")); err == nil {
		if db, err := Open(filepath.Join(tmp, "db")); err == nil {
			db.Close()
			t.Error("a failed import created a database")
		}
	}
}

func TestOpenWithoutDatabase(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), t.TempDir()} {
		_, err := Open(dir)
		if runway.ErrorCode(err) != runway.ENOTFOUND || !strings.Contains(runway.ErrorMessage(err), "run `runway db update`") {
			t.Errorf("Open(%s): %v", dir, err)
		}
	}
}

func TestOpenDamaged(t *testing.T) {
	t.Parallel()
	dir := testDB(t)
	path := filepath.Join(dir, "npm"+fileExt)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated":   data[:len(data)/2],
		"wrong magic": append([]byte("XXXXXXXX"), data[8:]...),
		"empty":       {},
	} {
		os.WriteFile(path, bad, 0o644)
		db, err := Open(dir)
		if err == nil {
			// A truncated file may still open: its lookups must fail
			// cleanly instead.
			_, err = db.Lookup("npm", "lodash")
			db.Close()
		}
		if name != "truncated" && runway.ErrorCode(err) != runway.EINTERNAL {
			t.Errorf("%s: %v, want EINTERNAL", name, err)
		}
		if name == "truncated" && err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, eco := range []string{"npm", "Go", "PyPI", "Maven", "crates.io", "Debian:12", "Debian_12", "Red Hat:rhel_aus:8.4::appstream", "..", "../x"} {
		n := fileName(eco)
		if strings.ContainsAny(n, `/\: `) || strings.HasPrefix(n, ".") || !strings.HasSuffix(n, fileExt) {
			t.Errorf("fileName(%q) = %q is not a safe file name", eco, n)
		}
		if other, dup := seen[n]; dup {
			t.Errorf("%q and %q share the file %q", eco, other, n)
		}
		seen[n] = eco
	}
}

package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// advisoriesDir holds the hand-written OSV advisories of the osv package's
// tests.
var advisoriesDir = filepath.Join("..", "..", "scanner", "osv", "testdata", "advisories")

// osvArchive builds an all.zip of the test advisories whose file names
// start with one of the prefixes.
func osvArchive(t *testing.T, prefixes ...string) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(advisoriesDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test advisories: %v", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		name := filepath.Base(f)
		if !hasAnyPrefix(name, prefixes) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// osvMirror serves ECOSYSTEM/all.zip with an ETag, as osv.dev's bucket does.
func osvMirror(t *testing.T, archives map[string][]byte) (*httptest.Server, *int) {
	t.Helper()
	var mu sync.Mutex
	downloads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
		data, found := archives[eco]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		mu.Lock()
		downloads++
		mu.Unlock()
		w.Header().Set("ETag", `"1"`)
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &downloads
}

func TestDBImportAndStatus(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "vulndb")
	r := cli(t, "", "db", "import", "--db", db, advisoriesDir)
	if r.code != exitOK || !strings.Contains(r.stdout, "Imported 18 advisories into "+db) {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, "", "db", "status", "--db", db)
	for _, want := range []string{"Vulnerability database: " + db, "ECOSYSTEM", "npm        10          1", "PyPI       4", "today"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q: exit %d\n%s%s", want, r.code, r.stdout, r.stderr)
		}
	}
	r = cli(t, "", "db", "status", "--db", db, "--output", "json")
	var status struct {
		Dir        string
		Ecosystems []struct {
			Ecosystem string
			Records   int
			AgeDays   int `json:"age_days"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &status); err != nil || status.Dir != db || len(status.Ecosystems) != 4 || status.Ecosystems[3].Records != 10 {
		t.Errorf("json status: %v %+v\n%s", err, status, r.stdout)
	}
}

func TestDBImportArchive(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	archive := filepath.Join(tmp, "all.zip")
	os.WriteFile(archive, osvArchive(t, "GO-"), 0o644)
	r := cli(t, "", "db", "import", "--db", filepath.Join(tmp, "db"), archive)
	if r.code != exitOK || !strings.Contains(r.stdout, "Imported 2 advisories") || !strings.Contains(r.stdout, "Go ") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDBUpdate(t *testing.T) {
	t.Parallel()
	srv, downloads := osvMirror(t, map[string][]byte{"npm": osvArchive(t, "GHSA-", "MAL-"), "Go": osvArchive(t, "GO-")})
	db := filepath.Join(t.TempDir(), "vulndb")
	r := cli(t, "", "db", "update", "--db", db, "--mirror", srv.URL, "--ecosystem", "npm", "--ecosystem", "Go")
	if r.code != exitOK || !strings.Contains(r.stdout, "npm  updated") || !strings.Contains(r.stdout, "Go   updated  2 advisories") {
		t.Fatalf("update: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --ecosystem, the ecosystems in the database; unchanged
	// archives are not downloaded again.
	r = cli(t, "", "db", "update", "--db", db, "--mirror", srv.URL)
	if r.code != exitOK || strings.Count(r.stdout, "already up to date") != 2 || *downloads != 2 {
		t.Errorf("second update: exit %d, %d downloads\n%s%s", r.code, *downloads, r.stdout, r.stderr)
	}
	// An ecosystem the mirror lacks fails with a plain error; the others
	// still update.
	r = cli(t, "", "db", "update", "--db", db, "--mirror", srv.URL, "--ecosystem", "Go", "--ecosystem", "Hackage")
	if r.code != exitUsage || !strings.Contains(r.stderr, "the mirror has no Hackage advisories") || !strings.Contains(r.stdout, "Go  already up to date  2 advisories") {
		t.Errorf("missing ecosystem: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDBErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	slip := filepath.Join(tmp, "slip.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("../../escape.json")
	w.Write([]byte(`{"id": "X-1"}`))
	zw.Close()
	os.WriteFile(slip, buf.Bytes(), 0o644)
	db := filepath.Join(tmp, "db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"import without sources", []string{"db", "import", "--db", db}, exitUsage, "expects OSV JSON files, folders or all.zip archives"},
		{"import a zip slip", []string{"db", "import", "--db", db, slip}, exitUsage, "zip-slip"},
		{"import a missing file", []string{"db", "import", "--db", db, filepath.Join(tmp, "nope.json")}, exitUsage, "cannot read"},
		{"update without a mirror", []string{"db", "update", "--db", db}, exitUsage, "set RUNWAY_VULN_MIRROR or vuln.mirror in the config"},
		{"update with a bad mirror", []string{"db", "update", "--db", db, "--mirror", "file:///srv/osv"}, exitUsage, "not an http or https URL"},
		{"status without a database", []string{"db", "status", "--db", db}, exitUsage, "No vulnerability database: run `runway db update`"},
		{"status with a bad output", []string{"db", "status", "--db", db, "--output", "xml"}, exitUsage, "not one of text, json"},
	}
	for _, tt := range tests {
		r := cli(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit %d containing %q", tt.name, r.code, r.stderr, tt.code, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "escape.json")); err == nil {
		t.Error("a zip-slip entry was written outside the archive")
	}
}

package osv

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runwayhq/runway"
)

// mirror serves ECOSYSTEM/all.zip archives like osv.dev's bucket, with
// ETag and Last-Modified, and counts full downloads.
type mirror struct {
	mu        sync.Mutex
	archives  map[string][]byte
	etags     map[string]string
	downloads map[string]int
	requests  []string
}

func newMirror(t *testing.T) (*mirror, *httptest.Server) {
	m := &mirror{archives: map[string][]byte{}, etags: map[string]string{}, downloads: map[string]int{}}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return m, srv
}

func (m *mirror) publish(eco string, archive []byte, etag string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.archives[eco], m.etags[eco] = archive, etag
}

func (m *mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, r.URL.Path)
	eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/osv/"), "/all.zip")
	data, found := m.archives[eco]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	etag := m.etags[eco]
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	m.downloads[eco]++
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Tue, 10 Nov 2026 08:00:00 GMT")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.Write(data)
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	m, srv := newMirror(t)
	m.publish("npm", zipOf(t, advisories(t, "npm")...), `"v1"`)
	m.publish("PyPI", zipOf(t, advisories(t, "PyPI")...), `"p1"`)
	dir := filepath.Join(t.TempDir(), "db")
	now := fixedNow
	u := &Updater{Dir: dir, Mirror: srv.URL + "/osv/", Now: func() time.Time { return now }}

	res, err := u.Update(context.Background(), []string{"npm", "PyPI"})
	if err != nil || len(res) != 2 || !res[0].Changed || res[0].Info.Records != 10 || res[0].Info.ETag != `"v1"` {
		t.Fatalf("first update: %v %+v", err, res)
	}
	if got := u.Ecosystems(nil); strings.Join(got, ",") != "PyPI,npm" {
		t.Errorf("ecosystems to update = %v, want those in the database", got)
	}

	// Unchanged archives: one conditional request each, a new update time.
	now = fixedNow.Add(48 * time.Hour)
	res, err = u.Update(context.Background(), u.Ecosystems(nil))
	if err != nil || res[0].Changed || !res[0].Info.Updated.Equal(now) || m.downloads["npm"] != 1 {
		t.Fatalf("second update: %v %+v, downloads %v", err, res, m.downloads)
	}

	// A new archive replaces the ecosystem whole.
	m.publish("npm", zipOf(t, zipEntry{"MAL-2022-1.json", readAdvisory(t, "MAL-2022-1")}), `"v2"`)
	if _, err := u.Update(context.Background(), []string{"npm"}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	info, _ := db.Ecosystem("npm")
	if info.Records != 1 || info.ETag != `"v2"` || info.Source != srv.URL+"/osv/npm/all.zip" {
		t.Errorf("after a new archive: %+v", info)
	}
	if py, _ := db.Ecosystem("PyPI"); py.Records != 4 {
		t.Errorf("PyPI changed with npm's update: %+v", py)
	}
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	m, srv := newMirror(t)
	m.publish("npm", zipOf(t, advisories(t, "npm")...), `"v1"`)
	m.publish("Go", hostileZip(t, rawEntry{name: "../x.json", data: readAdvisory(t, "GO-2020-0017")}), `"g1"`)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) }))
	t.Cleanup(broken.Close)
	tests := []struct {
		name   string
		mirror string
		eco    string
		max    int64
		code   string
		want   string
	}{
		{"no mirror", "", "npm", 0, runway.EINVALID, "RUNWAY_VULN_MIRROR or vuln.mirror"},
		{"not http", "ftp://example.invalid/osv", "npm", 0, runway.EINVALID, "not an http or https URL"},
		{"unknown ecosystem", srv.URL + "/osv", "Nonesuch", 0, runway.ENOTFOUND, "HTTP 404"},
		{"server error", broken.URL, "npm", 0, runway.EUNAVAILABLE, "502 Bad Gateway"},
		{"too large", srv.URL + "/osv", "npm", 100, runway.EINVALID, "download limit of 100"},
		{"hostile archive", srv.URL + "/osv", "Go", 0, runway.EINVALID, "zip-slip"},
	}
	for _, tt := range tests {
		dir := testDB(t)
		before := snapshot(t, dir)
		u := &Updater{Dir: dir, Mirror: tt.mirror, MaxDownload: tt.max}
		_, err := u.Update(context.Background(), []string{tt.eco})
		if runway.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %s containing %q", tt.name, err, tt.code, tt.want)
		}
		if after := snapshot(t, dir); len(after) != len(before) || after["npm"+fileExt] != before["npm"+fileExt] || after["Go"+fileExt] != before["Go"+fileExt] {
			t.Errorf("%s: the database changed", tt.name)
		}
	}
}

func TestUpdateUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := (&Updater{Dir: t.TempDir(), Mirror: url}).Update(context.Background(), []string{"npm"})
	if runway.ErrorCode(err) != runway.EUNAVAILABLE || !strings.Contains(err.Error(), "check the mirror and your network") {
		t.Errorf("error %v", err)
	}
}

func TestUpdateDefaults(t *testing.T) {
	t.Parallel()
	u := &Updater{Dir: filepath.Join(t.TempDir(), "empty")}
	if got := u.Ecosystems(nil); strings.Join(got, ",") != "npm,Go,PyPI,Maven" {
		t.Errorf("default ecosystems %v", got)
	}
	if got := u.Ecosystems([]string{"crates.io"}); strings.Join(got, ",") != "crates.io" {
		t.Errorf("named ecosystems %v", got)
	}
}

package osv

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// rawEntry writes an entry whose header says what the test wants, whatever
// the data is: the way a hostile archive lies about sizes.
type rawEntry struct {
	name         string
	data         []byte // inflated content
	declaredSize uint64 // header's uncompressed size; 0 means the real one
	mode         fs.FileMode
}

func hostileZip(t *testing.T, entries ...rawEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(e.data)
		fw.Close()
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(e.data))}
		if e.declaredSize > 0 {
			h.UncompressedSize64 = e.declaredSize
		}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileArchives: every kind of hostile archive is refused with a
// plain error that names it, and leaves the database as it was.
func TestHostileArchives(t *testing.T) {
	t.Parallel()
	good := readAdvisory(t, "MAL-2022-1")
	zeros := make([]byte, 4<<20)
	tests := []struct {
		name    string
		archive []byte
		limits  Limits
		want    string
	}{
		{"zip slip with ..", hostileZip(t, rawEntry{name: "../../etc/cron.d/x.json", data: good}), Limits{}, "zip-slip"},
		{"absolute path", hostileZip(t, rawEntry{name: "/etc/x.json", data: good}), Limits{}, "zip-slip"},
		{"backslashes", hostileZip(t, rawEntry{name: `..\..\x.json`, data: good}), Limits{}, "zip-slip"},
		{"a link", hostileZip(t, rawEntry{name: "x.json", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), Limits{}, "link"},
		{"declared too large", hostileZip(t, rawEntry{name: "x.json", data: good, declaredSize: 64 << 30}), Limits{}, "would expand to"},
		{"expands too much", hostileZip(t, rawEntry{name: "x.json", data: zeros}), Limits{}, "would expand 1"},
		{"lies about its size", hostileZip(t, rawEntry{name: "x.json", data: zeros, declaredSize: 1000}), Limits{}, "holds more than the 1000 bytes it declares"},
		{"too many entries", zipOf(t, advisories(t, "npm")...), Limits{MaxEntries: 3}, "more than the limit of 3"},
		{"too large in total", zipOf(t, advisories(t, "npm")...), Limits{MaxTotalSize: 4000}, "the limit for one archive"},
		{"entry over the limit", zipOf(t, advisories(t, "npm")...), Limits{MaxEntrySize: 500}, "limit of 500 per entry"},
		{"not a record", zipOf(t, zipEntry{"x.json", []byte(`{"affected": 1}`)}), Limits{}, "is not a valid OSV record"},
		{"damaged", hostileZip(t, rawEntry{name: "x.json", data: good})[:200], Limits{}, "not a readable zip archive"},
	}
	dir := testDB(t)
	before := snapshot(t, dir)
	for _, tt := range tests {
		src := writeFile(t, t.TempDir(), "all.zip", tt.archive)
		_, err := (&Importer{Dir: dir, Limits: tt.limits}).Import(context.Background(), src)
		if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), src) {
			t.Errorf("%s: error %v\nwant EINVALID naming the archive and containing %q", tt.name, err, tt.want)
		}
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("hostile archives changed the database: %d files before, %d after", len(before), len(after))
	}
}

func TestSafeEntryName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"GHSA-xxxx.json": true, "npm/GHSA-xxxx.json": true, "a/./b.json": true, "dir/": true,
		"../x.json": false, "a/../../x.json": false, "/x.json": false, `a\b.json`: false, "C:x.json": false, "": false,
	} {
		if got := safeEntryName(name); got != want {
			t.Errorf("safeEntryName(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzReadArchive feeds arbitrary bytes to the archive reader with tight
// limits: it must refuse or read, never panic, and never hand over more
// than the limits allow.
func FuzzReadArchive(f *testing.F) {
	f.Add(zipOf(f, advisories(f, "Maven")...))
	f.Add(zipOf(f, zipEntry{"../x.json", []byte(`{"id":"X"}`)}))
	f.Add([]byte("PK\x03\x04"))
	lim := Limits{MaxEntries: 50, MaxEntrySize: 1 << 16, MaxTotalSize: 1 << 18, MaxRatio: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		var total int
		err := readArchive(context.Background(), bytes.NewReader(data), int64(len(data)), "fuzz.zip", lim, func(entry string, rec []byte) error {
			if !safeEntryName(entry) || !strings.HasSuffix(strings.ToLower(entry), ".json") {
				t.Fatalf("entry %q was handed over", entry)
			}
			total += len(rec)
			if len(rec) > int(lim.MaxEntrySize) || total > int(lim.MaxTotalSize) {
				t.Fatalf("read %d bytes, past the limits", total)
			}
			_, _ = ParseRecord(rec)
			return nil
		})
		if err != nil && runway.ErrorCode(err) != runway.EINVALID {
			t.Fatalf("error of code %s: %v", runway.ErrorCode(err), err)
		}
	})
}

func TestImportArchiveInFolder(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	writeFile(t, tmp, "mirror/PyPI/all.zip", zipOf(t, advisories(t, "PyPI")...))
	writeFile(t, tmp, "mirror/notes.txt", []byte("not an advisory"))
	res, err := (&Importer{Dir: filepath.Join(tmp, "db")}).Import(context.Background(), filepath.Join(tmp, "mirror"))
	if err != nil || res.Records != 4 {
		t.Fatalf("import: %v, %+v", err, res)
	}
}

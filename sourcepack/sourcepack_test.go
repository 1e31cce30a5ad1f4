package sourcepack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var tree = map[string]string{"runway.yaml": "name: demo\n", "app/server.js": "console.log(1)\n", "scripts/run.sh": "#!/bin/sh\n"}

func list() []File {
	return []File{{Path: "scripts/run.sh", Executable: true}, {Path: "runway.yaml"}, {Path: "app/server.js"}, {Path: "gone.txt"}}
}

// TestPackRoundTrip: packing is reproducible, the archive's digest is the
// folder's, and extraction restores the files and their modes.
func TestPackRoundTrip(t *testing.T) {
	dir := writeTree(t, tree)
	a, sum, err := Pack(dir, list(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	b, sum2, _ := Pack(dir, list(), DefaultLimits)
	if !bytes.Equal(a, b) || sum != sum2 {
		t.Fatal("packing twice gave different archives")
	}
	if d, _ := Digest(dir, list()); d != sum {
		t.Fatalf("Digest %s, Pack %s", d, sum)
	}
	out := t.TempDir()
	got, err := Extract(a, out, DefaultLimits)
	if err != nil || got != sum {
		t.Fatalf("extract: %s %v, want %s", got, err, sum)
	}
	for p, body := range tree {
		data, err := os.ReadFile(filepath.Join(out, p))
		if err != nil || string(data) != body {
			t.Errorf("%s: %q %v", p, data, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(out, "scripts/run.sh")); fi.Mode().Perm() != 0o755 {
		t.Errorf("run.sh mode %v", fi.Mode())
	}
	// One changed byte changes the digest.
	os.WriteFile(filepath.Join(dir, "runway.yaml"), []byte("name: demo2\n"), 0o644)
	if d, _ := Digest(dir, list()); d == sum {
		t.Fatal("a changed file kept the digest")
	}
}

// archive builds a tar.gz from raw headers, for hostile cases.
func archive(t testing.TB, entries ...tar.Header) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range entries {
		body := strings.Repeat("x", int(h.Size))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestHostileArchives(t *testing.T) {
	reg := func(name string, size int64) tar.Header {
		return tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}
	}
	small := Limits{Archive: 1 << 20, Expanded: 1000, Files: 3}
	cases := []struct {
		name string
		data []byte
		says string
	}{
		{"not gzip", []byte("PK\x03\x04 zip"), "not a gzip file"},
		{"absolute path", archive(t, reg("/etc/passwd", 1)), "not a clean path"},
		{"parent folder", archive(t, reg("../../.ssh/authorized_keys", 1)), "not a clean path"},
		{"unclean path", archive(t, reg("app/../../x", 1)), "not a clean path"},
		{"symlink", archive(t, tar.Header{Name: "link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}), "not a regular file"},
		{"folder entry", archive(t, tar.Header{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755}), "not a regular file"},
		{"duplicate", archive(t, reg("a", 1), reg("a", 1)), "repeated or out of order"},
		{"out of order", archive(t, reg("b", 1), reg("a", 1)), "repeated or out of order"},
		{"too many files", archive(t, reg("a", 1), reg("b", 1), reg("c", 1), reg("d", 1)), "too big"},
		{"expands too much", archive(t, reg("a", 600), reg("b", 600)), "too big"},
		{"archive too big", bytes.Repeat([]byte{0}, 2<<20), "too big"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			_, err := Extract(c.data, out, small)
			if runway.ErrorCode(err) != runway.EINVALID || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %v, want EINVALID saying %q", err, c.says)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), "etc")); err == nil {
				t.Fatal("a file escaped the folder")
			}
		})
	}
}

// FuzzWalk: no archive makes Walk panic or accept a path outside the
// folder.
func FuzzWalk(f *testing.F) {
	dir := writeTree(f, tree)
	a, _, _ := Pack(dir, list(), DefaultLimits)
	f.Add(a)
	f.Add(archive(f, tar.Header{Name: "../x", Size: 1, Typeflag: tar.TypeReg}))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		Walk(data, Limits{Archive: 1 << 20, Expanded: 1 << 20, Files: 100}, func(file File, _ []byte) error {
			if checkPath(file.Path) != nil {
				t.Fatalf("accepted %q", file.Path)
			}
			return nil
		})
	})
}

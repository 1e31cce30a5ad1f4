package osv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestIndexRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	packages := map[string][]byte{}
	for i := range 1000 {
		packages[string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('0'+i/676))] = []byte{byte(i), byte(i >> 8)}
	}
	f, err := os.Create(filepath.Join(dir, "x"+fileExt))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeIndex(f, EcosystemInfo{Ecosystem: "npm", Records: 3}, packages, []string{"B", "A", "B"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ix, err := openIndex(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for k, v := range packages {
		got, err := ix.lookup(k)
		if err != nil || string(got) != string(v) {
			t.Fatalf("lookup(%q) = %v, %v; want %v", k, got, err, v)
		}
	}
	if got, err := ix.lookup("missing"); got != nil || err != nil {
		t.Errorf("lookup(missing) = %v, %v", got, err)
	}
	n := 0
	ix.each(func(string, []byte) error { n++; return nil })
	ids, _ := ix.ids()
	if n != len(packages) || len(ids) != 2 || ids[0] != "A" || ix.hdr.Ecosystem != "npm" {
		t.Errorf("each saw %d of %d packages; ids %v; header %+v", n, len(packages), ids, ix.hdr)
	}
}

// FuzzIndex opens damaged database files: every read must fail cleanly.
func FuzzIndex(f *testing.F) {
	dir := f.TempDir()
	good, err := os.Create(filepath.Join(dir, "seed"+fileExt))
	if err != nil {
		f.Fatal(err)
	}
	writeIndex(good, EcosystemInfo{Ecosystem: "npm"}, map[string][]byte{"lodash": []byte(`[]`), "qs": []byte(`[{"id":"X"}]`)}, []string{"X"})
	good.Close()
	seed, _ := os.ReadFile(good.Name())
	f.Add(seed)
	f.Add([]byte(indexMagic + "\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := readIndex(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		ix.lookup("lodash")
		ix.lookup("qs")
		ix.ids()
		ix.each(func(string, []byte) error { return nil })
	})
}

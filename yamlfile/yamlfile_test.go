package yamlfile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/runwayhq/runway/yamlfile"
)

func TestDisplayPath(t *testing.T) {
	t.Parallel()
	for ptr, want := range map[string]string{
		"":                       "",
		"/name":                  "name",
		"/integrations/0/secret": "integrations[0].secret",
		"/a~1b/c~0d":             "a/b.c~d",
		"/data/12":               "data[12]",
	} {
		if got := yamlfile.DisplayPath(ptr); got != want {
			t.Errorf("DisplayPath(%q) = %q, want %q", ptr, got, want)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	lim := yamlfile.Limits{MaxBytes: 64, MaxValues: 5}
	tests := []struct {
		name, data, want string
	}{
		{"too many bytes", strings.Repeat("a: b\n", 20), "the file is 100 bytes; the limit is 64"},
		{"too many values", "a: [1, 2, 3, 4, 5, 6]\n", "more than 5 values"},
		{"alias expansion counts", "a: &x [1, 2]\nb: [*x, *x]\n", "more than 5 values"},
	}
	for _, tt := range tests {
		_, err := yamlfile.Parse("f.yaml", []byte(tt.data), lim)
		var ye *yamlfile.Error
		if !errors.As(err, &ye) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestPositionsAndDecode(t *testing.T) {
	t.Parallel()
	doc, err := yamlfile.Parse("f.yaml", []byte("a:\n  b: [x, {c: 1.5}]\nd: .nan\n"), yamlfile.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if l, c := doc.Pos("/a/b/1/c"); l != 2 || c != 14 {
		t.Errorf("Pos = %d:%d, want 2:14", l, c)
	}
	if l, c := doc.KeyPos("/a/b"); l != 2 || c != 3 {
		t.Errorf("KeyPos = %d:%d, want 2:3", l, c)
	}
	if l, _ := doc.Pos("/a/missing/deeper"); l != 2 {
		t.Errorf("a missing path falls back to its closest parent: line %d", l)
	}
	var v struct {
		D string `json:"d"`
	}
	if err := doc.Decode(&v); err != nil || v.D != ".nan" {
		t.Errorf("NaN must stay text so that a schema can refuse it: %v %q", err, v.D)
	}
}

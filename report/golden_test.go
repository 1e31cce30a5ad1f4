package report

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// goldenCases are the renderings kept as golden files, by file suffix.
var goldenCases = []struct {
	suffix string
	render func(*bytes.Buffer, *runway.Report) error
}{
	{"text", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, Text, r, Options{}) }},
	{"text-color", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, Text, r, Options{Color: true}) }},
	{"json", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, JSON, r, Options{}) }},
	{"md", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, Markdown, r, Options{}) }},
	{"sarif", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, SARIF, r, Options{}) }},
	{"github", func(b *bytes.Buffer, r *runway.Report) error { return Write(b, GitHub, r, Options{}) }},
	{"github-summary", func(b *bytes.Buffer, r *runway.Report) error {
		return Write(&bytes.Buffer{}, GitHub, r, Options{GitHubSummary: b})
	}},
	{"codequality", func(b *bytes.Buffer, r *runway.Report) error { return writeCodeQuality(b, r) }},
}

// TestGolden renders every fixture in every format and compares the output
// with testdata/<fixture>.<format>.golden; -update rewrites them.
func TestGolden(t *testing.T) {
	for name, r := range fixtures() {
		for _, c := range goldenCases {
			t.Run(name+"/"+c.suffix, func(t *testing.T) {
				var b bytes.Buffer
				if err := c.render(&b, r); err != nil {
					t.Fatal(err)
				}
				runwaytest.Golden(t, filepath.Join("testdata", name+"."+c.suffix+".golden"), b.Bytes())
			})
		}
	}
}

// TestWriteDoesNotModifyReport guards the renderers against sorting or
// filling in the caller's report.
func TestWriteDoesNotModifyReport(t *testing.T) {
	t.Parallel()
	for name, r := range fixtures() {
		want := fixtures()[name]
		for _, f := range Formats() {
			if err := Write(&bytes.Buffer{}, f, r, Options{Color: true, GitHubSummary: &bytes.Buffer{}}); err != nil {
				t.Fatalf("%s %s: %v", name, f, err)
			}
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("%s: Write changed the report (-before +after):\n%s", name, diff)
		}
	}
}

// TestWriteArtifacts checks that the artifacts are exactly the renderings.
func TestWriteArtifacts(t *testing.T) {
	t.Parallel()
	r := blocked()
	dir := filepath.Join(t.TempDir(), "out", ".runway")
	if err := WriteArtifacts(dir, r); err != nil {
		t.Fatal(err)
	}
	render := func(f Format) func(*bytes.Buffer) error {
		return func(b *bytes.Buffer) error { return Write(b, f, r, Options{}) }
	}
	want := map[string]func(*bytes.Buffer) error{
		artifactJSON:        render(JSON),
		artifactSARIF:       render(SARIF),
		artifactMarkdown:    render(Markdown),
		artifactCodeQuality: func(b *bytes.Buffer) error { return writeCodeQuality(b, r) },
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{artifactCodeQuality, artifactJSON, artifactMarkdown, artifactSARIF}, names); diff != "" {
		t.Errorf("files in %s (-want +got):\n%s", dir, diff)
	}
	for file, render := range want {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b.String(), string(got)); diff != "" {
			t.Errorf("%s differs from the rendering (-want +got):\n%s", file, diff)
		}
	}
}

func TestWriteArtifactsUnwritable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteArtifacts(filepath.Join(file, "out"), passing())
	if got := runway.ErrorCode(err); got != runway.EINVALID {
		t.Errorf("WriteArtifacts into a file: code %q (%v), want %q", got, err, runway.EINVALID)
	}
}

package inventory

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/runwayhq/runway"
)

// TestNoResolvedScannedFully: a lockfile written with npm's
// omit-lockfile-registry-resolved setting (no "resolved" fields) gives
// exactly the inventory of the same lockfile with them.
func TestNoResolvedScannedFully(t *testing.T) {
	t.Parallel()
	without := mustScan(t, "testdata/npm-v3")
	with := mustScan(t, "testdata/npm-v3-resolved")
	if bytes.Contains(must(os.ReadFile("testdata/npm-v3/package-lock.json")), []byte(`"resolved"`)) {
		t.Fatal("the fixture without resolved fields has some")
	}
	if len(without.Components) != 25 {
		t.Errorf("%d components, want the 25 npm installed", len(without.Components))
	}
	if diff := cmp.Diff(with.Components, without.Components); diff != "" {
		t.Errorf("the lockfile without resolved fields gives another inventory (-with +without):\n%s", diff)
	}
}

// TestScalibrMarksUnresolvedLocal records why Runway reads npm lockfiles
// itself (ADR 0006): osv-scalibr v0.5.3 classes every entry without a
// "resolved" field as a local package, which its vulnerability matching
// then skips. If this test fails, scalibr changed: revisit the ADR.
func TestScalibrMarksUnresolvedLocal(t *testing.T) {
	t.Parallel()
	ex, err := packagelockjson.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	sources := func(dir string) map[metadata.NPMPackageSource]int {
		data := must(os.ReadFile(filepath.Join(dir, "package-lock.json")))
		inv, err := ex.Extract(context.Background(), &filesystem.ScanInput{Path: "package-lock.json", Reader: bytes.NewReader(data), FS: scalibrfs.DirFS(dir)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[metadata.NPMPackageSource]int{}
		for _, p := range inv.Packages {
			out[p.Metadata.(*metadata.JavascriptPackageMetadata).Source]++
		}
		return out
	}
	if got := sources("testdata/npm-v3"); got[metadata.Local] != 25 {
		t.Errorf("scalibr sources without resolved fields = %v, want all 25 local", got)
	}
	if got := sources("testdata/npm-v3-resolved"); got[metadata.Local] != 0 {
		t.Errorf("scalibr sources with resolved fields = %v, want none local", got)
	}
}

// TestInstalledLicenses: a v1 lockfile has no licences; the package.json
// files of installed packages give them, in each of their old forms, and
// only for the version the lockfile pins.
func TestInstalledLicenses(t *testing.T) {
	t.Parallel()
	dir := copyFixture(t, "npm-v1")
	install := map[string]string{
		"node_modules/send":                                    `{"name":"send","version":"0.19.0","license":"MIT"}`,
		"node_modules/send/node_modules/debug":                 `{"name":"debug","version":"2.6.9","license":{"type":"MIT","url":"x"}}`,
		"node_modules/send/node_modules/debug/node_modules/ms": `{"name":"ms","version":"2.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}`,
		"node_modules/@types/ms":                               `{"name":"@types/ms","version":"0.7.34","license":" MIT "}`,
		"node_modules/mkdirp":                                  `{"name":"mkdirp","version":"9.9.9","license":"ISC"}`,
		"node_modules/inherits":                                `not json`,
	}
	for p, content := range install {
		writeFile(t, filepath.Join(dir, p, "package.json"), content)
	}
	got := map[string][]string{}
	for _, c := range mustScan(t, dir).Components {
		got[c.Name+"@"+c.Version] = c.Licenses
	}
	want := map[string][]string{
		"send@0.19.0": {"MIT"}, "debug@2.6.9": {"MIT"}, "ms@2.0.0": {"Apache-2.0", "MIT"},
		"@types/ms@0.7.34": {"MIT"}, "mkdirp@0.5.6": {}, "inherits@2.0.4": {}, "debug@4.3.4": {},
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s licences = %q, want %q", k, got[k], w)
		}
	}
}

// TestPackageLockCases covers what the fixtures do not: workspaces,
// aliases, git and folder dependencies, a v1 lockfile without its
// package.json.
func TestPackageLockCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string // name@version direct/dev [introduced by]
	}{{
		name: "workspaces link to local folders",
		files: map[string]string{"package-lock.json": `{"lockfileVersion":3,"packages":{
			"":{"name":"root","workspaces":["packages/api"],"dependencies":{"lodash":"^4"}},
			"packages/api":{"name":"api","dependencies":{"ms":"^2","left-pad":"1"},"devDependencies":{"jest-lite":"1"}},
			"node_modules/api":{"resolved":"packages/api","link":true},
			"node_modules/lodash":{"version":"4.17.21","license":"MIT"},
			"node_modules/ms":{"version":"2.1.3"},
			"packages/api/node_modules/left-pad":{"version":"1.3.0","dependencies":{"ms":"2"}},
			"node_modules/jest-lite":{"version":"1.0.0","dev":true}}}`},
		want: []string{"jest-lite@1.0.0 direct dev", "left-pad@1.3.0 direct", "lodash@4.17.21 direct", "ms@2.1.3 direct"},
	}, {
		name: "aliases, git and folder dependencies",
		files: map[string]string{"package-lock.json": `{"lockfileVersion":2,"packages":{
			"":{"dependencies":{"sw":"npm:string-width@4","gitdep":"github:me/gitdep","local":"file:../local"}},
			"node_modules/sw":{"name":"string-width","version":"4.2.3"},
			"node_modules/gitdep":{"version":"git+ssh://git@example.invalid/me/gitdep.git#0123abc"},
			"node_modules/local":{"version":"file:../local"}}}`},
		want: []string{"gitdep@0123abc direct", "string-width@4.2.3 direct"},
	}, {
		name: "v1 without package.json: roots are what nothing requires",
		files: map[string]string{"package-lock.json": `{"lockfileVersion":1,"dependencies":{
			"a":{"version":"1.0.0","requires":{"b":"^1"}},
			"b":{"version":"1.0.0"},
			"t":{"version":"2.0.0","dev":true,"requires":{"b":"^1"},"dependencies":{"b":{"version":"2.0.0","dev":true}}},
			"al":{"version":"npm:real@3.0.0"}}}`},
		want: []string{"a@1.0.0 direct", "b@1.0.0 [a]", "b@2.0.0 dev [t]", "real@3.0.0 direct", "t@2.0.0 direct dev"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			if diff := cmp.Diff(tt.want, summarize(mustScan(t, dir))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestShrinkwrapWins: npm ignores package-lock.json beside an
// npm-shrinkwrap.json, and so does the inventory.
func TestShrinkwrapWins(t *testing.T) {
	t.Parallel()
	dir := copyFixture(t, "npm-shrinkwrap")
	writeFile(t, filepath.Join(dir, "package-lock.json"), `{"lockfileVersion":3,"packages":{"node_modules/ignored":{"version":"1.0.0"}}}`)
	inv := mustScan(t, dir)
	if !slices.Equal(inv.Sources, []string{"npm-shrinkwrap.json"}) {
		t.Errorf("sources = %q", inv.Sources)
	}
}

// summarize renders components as "name@version direct dev [introduced
// by]" for compact expectations.
func summarize(inv *runway.Inventory) []string {
	var out []string
	for _, c := range inv.Components {
		s := c.Name + "@" + c.Version
		if c.Direct {
			s += " direct"
		}
		if c.Dev {
			s += " dev"
		}
		if len(c.IntroducedBy) > 0 {
			s += " [" + strings.Join(c.IntroducedBy, " ") + "]"
		}
		out = append(out, s)
	}
	return out
}

func mustScan(t *testing.T, dir string) *runway.Inventory {
	t.Helper()
	inv, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// copyFixture copies a fixture folder into a temporary one.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

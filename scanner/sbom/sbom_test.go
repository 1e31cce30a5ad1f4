package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

var (
	fixedNow  = time.Date(2026, 11, 29, 10, 30, 0, 0, time.UTC)
	testOpts  = Options{Version: "1.2.3", Now: func() time.Time { return fixedNow }}
	testApp   = App{Name: "expense-approvals", Version: "1.2.0"}
	goldenCDX = filepath.Join("testdata", "expense-approvals.cdx.json.golden")
	goldenSPX = filepath.Join("testdata", "expense-approvals.spdx.json.golden")
)

// fixture is an inventory of a real npm lockfile, a Go module and a
// Poetry project (the inventory package's golden output), with licences
// of every kind and one package found in two lockfiles.
func fixture(t testing.TB) *runway.Inventory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "inventory.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inv runway.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatal(err)
	}
	return &inv
}

// TestWriteGolden keeps both SBOMs of the fixture, with an injected time,
// in golden files.
func TestWriteGolden(t *testing.T) {
	t.Parallel()
	files, err := Write(t.TempDir(), testApp, fixture(t), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	runwaytest.Golden(t, goldenCDX, must(os.ReadFile(files.CycloneDX)))
	runwaytest.Golden(t, goldenSPX, must(os.ReadFile(files.SPDX)))
	if files.Components != 41 || files.Direct != 11 || files.Dev != 8 {
		t.Errorf("counts = %d components, %d direct, %d dev; want 41, 11, 8", files.Components, files.Direct, files.Dev)
	}
}

// TestDeterministic: the same input gives the same bytes; another time
// changes the timestamps and nothing else; another inventory changes the
// serial number and the namespace.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	inv := fixture(t)
	render := func(inv *runway.Inventory, now time.Time) (string, string) {
		opts := testOpts
		opts.Now = func() time.Time { return now }
		var c, s bytes.Buffer
		if err := WriteCycloneDX(&c, testApp, inv, opts); err != nil {
			t.Fatal(err)
		}
		if err := WriteSPDX(&s, testApp, inv, opts); err != nil {
			t.Fatal(err)
		}
		return c.String(), s.String()
	}
	c1, s1 := render(inv, fixedNow)
	c2, s2 := render(inv, fixedNow)
	if c1 != c2 || s1 != s2 {
		t.Fatal("two SBOMs of the same input differ")
	}
	later := fixedNow.Add(26 * time.Hour)
	c3, s3 := render(inv, later)
	stamp := func(s string, now time.Time) string { return strings.ReplaceAll(s, now.Format(time.RFC3339), "TIME") }
	if stamp(c1, fixedNow) != stamp(c3, later) || stamp(s1, fixedNow) != stamp(s3, later) {
		t.Error("SBOMs made at different times differ in more than the timestamp")
	}
	if c1 == c3 {
		t.Error("the CycloneDX timestamp does not follow Now")
	}
	shuffled := *inv
	shuffled.Components = append([]runway.Component{}, inv.Components...)
	for i, j := 0, len(shuffled.Components)-1; i < j; i, j = i+1, j-1 {
		shuffled.Components[i], shuffled.Components[j] = shuffled.Components[j], shuffled.Components[i]
	}
	if c4, s4 := render(&shuffled, fixedNow); c4 != c1 || s4 != s1 {
		t.Error("the order of the inventory changes the SBOM")
	}
	changed := *inv
	changed.Components = append([]runway.Component{}, inv.Components...)
	changed.Components[0].Version = "0.7.35"
	c5, s5 := render(&changed, fixedNow)
	if serial(t, c5) == serial(t, c1) || namespace(t, s5) == namespace(t, s1) {
		t.Error("another inventory kept the serial number or the namespace")
	}
}

func serial(t *testing.T, doc string) string {
	var v struct{ SerialNumber string }
	if err := json.Unmarshal([]byte(doc), &v); err != nil || v.SerialNumber == "" {
		t.Fatalf("no serial number: %v", err)
	}
	return v.SerialNumber
}

func namespace(t *testing.T, doc string) string {
	var v struct{ DocumentNamespace string }
	if err := json.Unmarshal([]byte(doc), &v); err != nil || v.DocumentNamespace == "" {
		t.Fatalf("no namespace: %v", err)
	}
	return v.DocumentNamespace
}

// TestCycloneDXContent reads the CycloneDX golden back with cyclonedx-go
// and checks what consumers rely on.
func TestCycloneDXContent(t *testing.T) {
	t.Parallel()
	var bom struct {
		SpecVersion, SerialNumber string
		Metadata                  struct {
			Timestamp string
			Tools     struct {
				Components []struct{ Name, Version string }
			}
			Component struct {
				BOMRef        string `json:"bom-ref"`
				Name, Version string
			}
		}
		Components []struct {
			BOMRef                            string `json:"bom-ref"`
			Group, Name, Version, Purl, Scope string
		}
		Dependencies []struct {
			Ref       string
			DependsOn []string
		}
	}
	if err := json.Unmarshal(must(os.ReadFile(goldenCDX)), &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") || bom.Metadata.Timestamp != "2026-11-29T10:30:00Z" {
		t.Errorf("header: %s %s %s", bom.SpecVersion, bom.SerialNumber, bom.Metadata.Timestamp)
	}
	if tools := bom.Metadata.Tools.Components; len(tools) != 1 || tools[0].Name != "runway" || tools[0].Version != "1.2.3" {
		t.Errorf("tools = %+v", tools)
	}
	if c := bom.Metadata.Component; c.BOMRef != appRef || c.Name != "expense-approvals" || c.Version != "1.2.0" {
		t.Errorf("the app is %+v", c)
	}
	byRef := map[string]int{}
	for i, c := range bom.Components {
		byRef[c.BOMRef] = i
		if c.BOMRef != c.Purl {
			t.Errorf("%s has the purl %s", c.BOMRef, c.Purl)
		}
	}
	if c := bom.Components[byRef["pkg:npm/%40types/ms@0.7.34"]]; c.Group != "@types" || c.Name != "ms" || c.Scope != "excluded" {
		t.Errorf("a scoped dev package is %+v", c)
	}
	if c := bom.Components[byRef["pkg:npm/debug@4.3.4"]]; c.Scope != "required" {
		t.Errorf("debug, dev in one lockfile and not in the other, has scope %s", c.Scope)
	}
	deps := map[string][]string{}
	for _, d := range bom.Dependencies {
		deps[d.Ref] = d.DependsOn
	}
	if got := deps[appRef]; !contains(got, "pkg:npm/send@0.19.0") || !contains(got, "pkg:golang/stdlib@v1.22.0") || contains(got, "pkg:npm/ms@2.1.3") {
		t.Errorf("the app depends on %v", got)
	}
	if got := deps["pkg:npm/send@0.19.0"]; !contains(got, "pkg:npm/debug@2.6.9") || !contains(got, "pkg:npm/ms@2.1.3") {
		t.Errorf("send depends on %v", got)
	}
	if len(deps) != 42 {
		t.Errorf("%d dependency entries, want one per component and the app (42)", len(deps))
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestLicenses covers how declared licences land in each format.
func TestLicenses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw       []string
		cdx, spdx string
	}{
		{[]string{"MIT"}, `[{"license":{"id":"MIT"}}]`, "MIT"},
		{[]string{"mit"}, `[{"license":{"id":"MIT"}}]`, "MIT"},
		{[]string{"MIT", "Apache-2.0"}, `[{"license":{"id":"MIT"}},{"license":{"id":"Apache-2.0"}}]`, "MIT AND Apache-2.0"},
		{[]string{"(MIT OR Apache-2.0)"}, `[{"expression":"MIT OR Apache-2.0"}]`, "MIT OR Apache-2.0"},
		{[]string{"(MIT OR Apache-2.0)", "ISC"}, `[{"expression":"(MIT OR Apache-2.0) AND ISC"}]`, "(MIT OR Apache-2.0) AND ISC"},
		{[]string{"UNLICENSED"}, `[{"license":{"name":"UNLICENSED"}}]`, "LicenseRef-UNLICENSED-c002dcd8"},
		{[]string{"SEE LICENSE IN LICENSE.md", "MIT"}, `[{"license":{"name":"SEE LICENSE IN LICENSE.md"}},{"license":{"id":"MIT"}}]`, "LicenseRef-SEE-LICENSE-IN-LICENSE.md-a4dc62f2 AND MIT"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(cdxLicenses(tt.raw))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.cdx {
			t.Errorf("cdxLicenses(%q) = %s, want %s", tt.raw, got, tt.cdx)
		}
		ls := make([]license, len(tt.raw))
		for i, r := range tt.raw {
			ls[i] = classify(r)
		}
		if got := spdxExpression(ls); got != tt.spdx {
			t.Errorf("spdxExpression(%q) = %s, want %s", tt.raw, got, tt.spdx)
		}
	}
}

// TestCheck runs the check on a real folder, as the runner would, and
// keeps what a person reads in a golden file.
func TestCheck(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	run := func(name string, ws *runway.Workspace) runway.CheckOutcome {
		t.Helper()
		var log bytes.Buffer
		o := New(testOpts).Run(context.Background(), ws, &log)
		fmt.Fprintf(&out, "== %s\nstatus: %s\nsummary: %s\n", name, o.Status, o.Summary)
		if o.SBOM != nil {
			fmt.Fprintf(&out, "sbom: %s, %s, %d components\n", o.SBOM.CycloneDX, o.SBOM.SPDX, o.SBOM.Components)
			details, _ := json.Marshal(o.Details)
			fmt.Fprintf(&out, "details: %s\n", details)
		}
		return o
	}
	workspace := func(inv func() (*runway.Inventory, error)) *runway.Workspace {
		dir := filepath.Join(t.TempDir(), "expense-approvals")
		return &runway.Workspace{Dir: dir, OutDir: filepath.Join(dir, ".runway"), Inventory: inv}
	}

	ws := workspace(func() (*runway.Inventory, error) { return fixture(t), nil })
	ws.Manifest = &runway.Manifest{Name: "expenses"}
	o := run("inventory with a manifest", ws)
	for _, p := range []string{o.SBOM.CycloneDX, o.SBOM.SPDX} {
		if _, err := os.Stat(filepath.Join(ws.Dir, p)); err != nil {
			t.Errorf("%s was not written: %v", p, err)
		}
	}
	if data := must(os.ReadFile(filepath.Join(ws.OutDir, CycloneDXFile))); !bytes.Contains(data, []byte(`"name": "expenses"`)) {
		t.Error("the app is not named after its manifest")
	}

	run("no lockfile, no manifest", workspace(func() (*runway.Inventory, error) {
		return &runway.Inventory{Components: []runway.Component{}, Sources: []string{}}, nil
	}))
	run("unreadable lockfile", workspace(func() (*runway.Inventory, error) {
		return nil, runway.Errorf(runway.EINVALID, "package-lock.json could not be read (unexpected end of JSON input), so Runway cannot list your app's dependencies. Run `npm install` in that folder to write it again, then run the check again.")
	}))
	run("inventory crashed", workspace(func() (*runway.Inventory, error) { return nil, errors.New("disk on fire") }))
	run("no inventory wired", workspace(nil))

	outside := workspace(func() (*runway.Inventory, error) { return fixture(t), nil })
	outside.OutDir = t.TempDir()
	if o := New(testOpts).Run(context.Background(), outside, io.Discard); !filepath.IsAbs(o.SBOM.CycloneDX) {
		t.Errorf("an SBOM outside the app's folder is reported as %s, want an absolute path", o.SBOM.CycloneDX)
	}
	runwaytest.Golden(t, filepath.Join("testdata", "check.golden"), []byte(out.String()))
}

func TestRelative(t *testing.T) {
	t.Parallel()
	tests := map[[2]string]string{
		{"/app", "/app/.runway/sbom.cdx.json"}: ".runway/sbom.cdx.json",
		{"/app", "/out/sbom.cdx.json"}:         "/out/sbom.cdx.json",
		{"/app", "/app-2/sbom.cdx.json"}:       "/app-2/sbom.cdx.json",
		{"/app", "/app/..x/sbom.cdx.json"}:     "..x/sbom.cdx.json",
	}
	for in, want := range tests {
		if got := relative(in[0], in[1]); got != want {
			t.Errorf("relative(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestEmptyInventory(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteCycloneDX(&b, App{Name: "static"}, &runway.Inventory{}, testOpts); err != nil {
		t.Fatal(err)
	}
	var bom map[string]any
	if err := json.Unmarshal(b.Bytes(), &bom); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{map[string]any{"ref": appRef, "dependsOn": []any{}}}, bom["dependencies"]); diff != "" {
		t.Errorf("dependencies of an app without any (-want +got):\n%s", diff)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official SARIF 2.1.0 schema (draft-04), as Microsoft's jest-sarif
// package ships it.
const (
	sarifSchemaPackage = "@microsoft/jest-sarif@1.0.0-beta.0"
	sarifSchemaMember  = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
	sarifSchemaSHA256  = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"
)

func sarifSchema(t *testing.T) []byte {
	return runwaytest.NPMFile(t, sarifSchemaPackage, sarifSchemaMember, sarifSchemaSHA256)
}

// TestSARIFMatchesOfficialSchema validates every SARIF golden file against
// the official SARIF 2.1.0 schema.
func TestSARIFMatchesOfficialSchema(t *testing.T) {
	t.Parallel()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarifSchema(t)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://json.schemastore.org/sarif-2.1.0-rtm.5.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile the SARIF schema: %v", err)
	}
	files, err := filepath.Glob("testdata/*.sarif.golden")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 SARIF golden files, got %v (%v)", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(unmarshalJSON(t, data)); err != nil {
			t.Errorf("%s is not valid SARIF 2.1.0:\n%v", f, err)
		}
	}
	// The schema must be enforced, not merely loaded.
	bad := bytes.Replace(must(os.ReadFile("testdata/blocked.sarif.golden")), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	if err := schema.Validate(unmarshalJSON(t, bad)); err == nil {
		t.Error("the SARIF schema accepts a result with level fatal")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// sarifLog is the part of a SARIF log the tests below read.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct{ ID string }
			}
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			PartialFingerprints map[string]string
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           *struct{ StartLine, StartColumn int }
				}
			}
		}
	}
}

// TestSARIFResults checks what code scanning relies on: one run, sorted
// rules, each result pointing at its rule, its level, place and
// fingerprint.
func TestSARIFResults(t *testing.T) {
	t.Parallel()
	r := blocked()
	r.Findings = append(r.Findings, runway.Finding{ID: "nofile", Kind: runway.KindPolicy, Severity: runway.SeverityMedium, Title: "No file"})
	var b bytes.Buffer
	if err := Write(&b, SARIF, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "runway" {
		t.Fatalf("want one run by runway, got %+v", log.Runs)
	}
	run := log.Runs[0]
	var ids []string
	for _, rl := range run.Tool.Driver.Rules {
		ids = append(ids, rl.ID)
	}
	if diff := cmp.Diff([]string{"js-insecure-random", "lint-failed", "manifest-schema", "policy", "slack-bot-token", "test-failed"}, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	type place struct {
		Rule, Level, URI string
		Line, Column     int
		Fingerprint      string
	}
	var got []place
	for _, res := range run.Results {
		if rl := run.Tool.Driver.Rules[res.RuleIndex]; rl.ID != res.RuleID {
			t.Errorf("result for %s points at rule %d (%s)", res.RuleID, res.RuleIndex, rl.ID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("%s: uriBaseId %q", res.RuleID, loc.ArtifactLocation.URIBaseID)
		}
		p := place{Rule: res.RuleID, Level: res.Level, URI: loc.ArtifactLocation.URI, Fingerprint: res.PartialFingerprints["runwayFindingId/v1"]}
		if loc.Region != nil {
			p.Line, p.Column = loc.Region.StartLine, loc.Region.StartColumn
		}
		got = append(got, p)
	}
	want := []place{
		{"manifest-schema", "error", "runway.yaml", 2, 1, "6b1d0c2e9f3a4b5c"},
		{"manifest-schema", "error", "runway.yaml", 5, 7, "0f4e2a9d7c1b3e5a"},
		{"lint-failed", "error", "runway.yaml", 0, 0, "9a8b7c6d5e4f3a2b"},
		{"test-failed", "error", "runway.yaml", 0, 0, "1c2d3e4f5a6b7c8d"},
		{"slack-bot-token", "error", "src/config,%20old.js", 3, 18, "5e6f7a8b9c0d1e2f"},
		{"js-insecure-random", "note", "src/token.js", 4, 10, "3a4b5c6d7e8f9a0b"},
		{"policy", "warning", "runway.yaml", 0, 0, "nofile"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestSARIFLevel(t *testing.T) {
	t.Parallel()
	tests := map[runway.Severity]string{
		runway.SeverityCritical: "error", runway.SeverityHigh: "error", runway.SeverityMedium: "warning",
		runway.SeverityLow: "note", runway.SeverityInfo: "note", "bogus": "warning",
	}
	for sev, want := range tests {
		if got := sarifLevel(sev); got != want {
			t.Errorf("sarifLevel(%q) = %q, want %q", sev, got, want)
		}
	}
}

func TestRuleName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{"manifest-schema": "ManifestSchema", "microapp.risk/sbom_signoff": "MicroappRiskSbomSignoff", "GO-2023-2102": "GO20232102", "x": "X"}
	for id, want := range tests {
		if got := ruleName(id); got != want {
			t.Errorf("ruleName(%q) = %q, want %q", id, got, want)
		}
	}
}

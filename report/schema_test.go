package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// reportSchemaFile names the published JSON Schema of the report contract.
const reportSchemaFile = "schema/check-report.schema.json"

func readReportSchema(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(schema.CheckReport, &doc); err != nil {
		t.Fatalf("%s: %v", reportSchemaFile, err)
	}
	return doc
}

func compileReportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("check-report.schema.json", readReportSchema(t)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("check-report.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", reportSchemaFile, err)
	}
	return s
}

func unmarshalJSON(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestJSONMatchesReportSchema validates the JSON golden files, and a report
// with every list left nil, against the published schema.
func TestJSONMatchesReportSchema(t *testing.T) {
	t.Parallel()
	s := compileReportSchema(t)
	files, err := filepath.Glob("testdata/*.json.golden")
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 JSON golden files, got %v (%v)", files, err)
	}
	docs := map[string][]byte{}
	for _, f := range files {
		if docs[f], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	var sparse bytes.Buffer
	bare := &runway.Report{Schema: runway.ReportSchema, Decision: runway.DecisionPass, Tier: 1, Risk: runway.Risk{Effective: runway.RiskLow},
		Findings: []runway.Finding{{Kind: runway.KindVulnerability, Severity: runway.SeverityLow, Advisory: &runway.Advisory{ID: "GHSA-x"}}}}
	if err := Write(&sparse, JSON, bare, Options{}); err != nil {
		t.Fatal(err)
	}
	docs["report with nil lists"] = sparse.Bytes()
	for name, data := range docs {
		if err := s.Validate(unmarshalJSON(t, data)); err != nil {
			t.Errorf("%s does not match %s:\n%v", name, reportSchemaFile, err)
		}
	}
}

// TestReportSchemaRejectsDrift makes sure the schema is strict enough to
// catch a renamed field or a new value.
func TestReportSchemaRejectsDrift(t *testing.T) {
	t.Parallel()
	s := compileReportSchema(t)
	tests := []struct {
		name   string
		change func(r map[string]any)
	}{
		{"unknown report field", func(r map[string]any) { r["verdict"] = "pass" }},
		{"unknown check field", func(r map[string]any) { check(r)["exit_code"] = 1 }},
		{"unknown finding field", func(r map[string]any) { finding(r)["value"] = "xoxb-1234" }},
		{"unknown kind", func(r map[string]any) { finding(r)["kind"] = "license" }},
		{"unknown status", func(r map[string]any) { check(r)["status"] = "ok" }},
		{"unknown decision", func(r map[string]any) { r["decision"] = "maybe" }},
		{"other schema version", func(r map[string]any) { r["schema"] = "runway.check/v2" }},
		{"missing fix", func(r map[string]any) { delete(finding(r), "fix") }},
		{"column 0 written", func(r map[string]any) { finding(r)["column"] = 0 }},
		{"tier 4", func(r map[string]any) { r["tier"] = 4 }},
		{"bad timestamp", func(r map[string]any) { r["started_at"] = "yesterday" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Write(&b, JSON, blocked(), Options{}); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			tt.change(doc)
			data, _ := json.Marshal(doc)
			if err := s.Validate(unmarshalJSON(t, data)); err == nil {
				t.Errorf("the schema accepts a report with %s", tt.name)
			}
		})
	}
}

func check(r map[string]any) map[string]any   { return r["checks"].([]any)[0].(map[string]any) }
func finding(r map[string]any) map[string]any { return r["findings"].([]any)[0].(map[string]any) }

// TestReportSchemaMatchesTypes keeps the Go types and the published schema
// in step: at every level, the schema's properties are the JSON fields of
// the type, and its required list is the fields without omitempty.
func TestReportSchemaMatchesTypes(t *testing.T) {
	t.Parallel()
	doc := readReportSchema(t)
	defs, _ := doc["$defs"].(map[string]any)
	var walk func(path string, s map[string]any, typ reflect.Type)
	walk = func(path string, s map[string]any, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
			if items, ok := s["items"].(map[string]any); ok {
				s = items
			}
		}
		if typ.Kind() != reflect.Struct || typ.PkgPath() == "time" {
			return
		}
		s = objectSchema(s, defs)
		props, _ := s["properties"].(map[string]any)
		var inSchema, inType, required, notOmitted []string
		for k := range props {
			inSchema = append(inSchema, k)
		}
		for _, r := range s["required"].([]any) {
			required = append(required, r.(string))
		}
		for i := range typ.NumField() {
			name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			inType = append(inType, name)
			if !strings.Contains(opts, "omitempty") {
				notOmitted = append(notOmitted, name)
			}
			if sub, ok := props[name].(map[string]any); ok {
				walk(path+"."+name, sub, typ.Field(i).Type)
			}
		}
		for _, l := range [][]string{inSchema, inType, required, notOmitted} {
			sort.Strings(l)
		}
		if diff := cmp.Diff(inSchema, inType); diff != "" {
			t.Errorf("%s: schema properties (-) and Go fields (+) differ:\n%s", path, diff)
		}
		if diff := cmp.Diff(required, notOmitted); diff != "" {
			t.Errorf("%s: required in the schema (-) and fields without omitempty (+) differ:\n%s", path, diff)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: the schema must set additionalProperties to false", path)
		}
	}
	walk("report", doc, reflect.TypeFor[runway.Report]())
}

// objectSchema follows $ref and picks the object branch of an anyOf (a
// nullable object).
func objectSchema(s map[string]any, defs map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		return objectSchema(defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any), defs)
	}
	if alts, ok := s["anyOf"].([]any); ok {
		for _, a := range alts {
			if o := objectSchema(a.(map[string]any), defs); o["properties"] != nil {
				return o
			}
		}
	}
	return s
}

// TestReportSchemaEnumsMatchDomain keeps the schema's allowed values equal
// to the root package's, and every kind of finding in an action group.
func TestReportSchemaEnumsMatchDomain(t *testing.T) {
	t.Parallel()
	doc := readReportSchema(t)
	defs := doc["$defs"].(map[string]any)
	enum := func(s any) []string {
		var out []string
		for _, v := range s.(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	props := defs["finding"].(map[string]any)["properties"].(map[string]any)
	var kinds, grouped, severities, levels []string
	for _, k := range runway.FindingKinds {
		kinds = append(kinds, string(k))
	}
	for _, a := range actions {
		grouped = append(grouped, string(a.kind))
	}
	for _, s := range runway.Severities {
		severities = append(severities, string(s))
	}
	for _, l := range runway.RiskLevels {
		levels = append(levels, string(l))
	}
	tests := []struct {
		name      string
		schema    []string
		want      []string
		wantWhere string
	}{
		{"finding kind", enum(props["kind"]), kinds, "runway.FindingKinds"},
		{"action groups", grouped, kinds, "runway.FindingKinds"},
		{"severity", enum(props["severity"]), severities, "runway.Severities"},
		{"risk level", enum(defs["risk_level"]), levels, "runway.RiskLevels"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.schema); diff != "" {
			t.Errorf("%s: %s (-) and the schema (+) differ:\n%s", tt.name, tt.wantWhere, diff)
		}
	}
}

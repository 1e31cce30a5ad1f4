package manifest_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
)

// TestSchemaMatchesManifestType keeps the published JSON Schema and the Go
// type in step: every key of one is a key of the other, at every level.
func TestSchemaMatchesManifestType(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(schema.Manifest, &doc); err != nil {
		t.Fatal(err)
	}
	defs, _ := doc["$defs"].(map[string]any)
	var walk func(path string, s map[string]any, typ reflect.Type)
	walk = func(path string, s map[string]any, typ reflect.Type) {
		if ref, ok := s["$ref"].(string); ok {
			s, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
			if items, ok := s["items"].(map[string]any); ok {
				s = items
				if ref, ok := s["$ref"].(string); ok {
					s, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				}
			}
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		props, _ := s["properties"].(map[string]any)
		var inSchema, inType []string
		for k := range props {
			inSchema = append(inSchema, k)
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			inType = append(inType, name)
			sub, _ := props[name].(map[string]any)
			if sub != nil {
				walk(path+"."+name, sub, f.Type)
			}
		}
		sort.Strings(inSchema)
		sort.Strings(inType)
		if diff := cmp.Diff(inSchema, inType); diff != "" {
			t.Errorf("%s: schema keys (-) and Go fields (+) differ:\n%s", path, diff)
		}
	}
	walk("manifest", doc, reflect.TypeOf(runway.Manifest{}))
}

// TestSchemaEnumsMatchDomain keeps the schema's allowed values equal to the
// root package's lists.
func TestSchemaEnumsMatchDomain(t *testing.T) {
	var doc struct {
		Properties struct {
			Risk     struct{ Enum []string }
			Audience struct{ Enum []string }
			Data     struct{ Items struct{ Enum []string } }
		}
	}
	if err := json.Unmarshal(schema.Manifest, &doc); err != nil {
		t.Fatal(err)
	}
	strs := func(vs any) []string {
		var out []string
		v := reflect.ValueOf(vs)
		for i := 0; i < v.Len(); i++ {
			out = append(out, v.Index(i).String())
		}
		return out
	}
	for _, c := range []struct {
		name         string
		schema, want []string
	}{
		{"risk", doc.Properties.Risk.Enum, strs(runway.RiskLevels)},
		{"audience", doc.Properties.Audience.Enum, strs(runway.Audiences)},
		{"data", doc.Properties.Data.Items.Enum, strs(runway.DataClasses)},
	} {
		if diff := cmp.Diff(c.want, c.schema); diff != "" {
			t.Errorf("%s: -domain +schema:\n%s", c.name, diff)
		}
	}
}

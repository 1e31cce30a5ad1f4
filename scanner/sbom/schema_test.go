package sbom

import (
	"bytes"
	"os"
	"testing"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official schemas are fetched at test time into the user's cache and
// pinned by sha256, never committed.
//
// CycloneDX 1.6 and the two schemas it references come from the npm
// package of CycloneDX's own JavaScript library. No npm package ships the
// SPDX 2.3 document schema, so it comes from the Go module of syft, which
// carries the spdx-spec schema to test its own output; it is fetched with
// `go mod download`, the Go module proxy's ordinary client.
const (
	cdxPackage = "@cyclonedx/cyclonedx-library@10.3.0"

	spdxModule = "github.com/anchore/syft@v1.57.1"
	spdxMember = "schema/spdx-json/spdx-schema-2.3.json"
	spdxSHA256 = "c2e139546ef93597d3b1214d1d452369d0b536af6c6d6500dbd25c582034aa7c"
)

// cdxSchemas are the files of the CycloneDX package, with their URL (how
// bom-1.6 refers to them) and sha256.
var cdxSchemas = []struct{ member, url, sha string }{
	{"package/res/schema/bom-1.6.SNAPSHOT.schema.json", "http://cyclonedx.org/schema/bom-1.6.schema.json", "83821ba49aa366ad1f1d16c34837d05edd010f036f652e310db1c77d57b37c58"},
	{"package/res/schema/spdx.SNAPSHOT.schema.json", "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json", "4b345e2329f209f34e960ae2a8e7cb46a166907e6a45e94978565925dc47b359"},
	{"package/res/schema/jsf-0.82.SNAPSHOT.schema.json", "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json", "8bae002c25e723db7ee1f26afde680ae1a2b1a8f6b4b4b0fd65dc3becb090aae"},
}

// cycloneDXSchema compiles the official CycloneDX 1.6 schema.
func cycloneDXSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, s := range cdxSchemas {
		addResource(t, c, s.url, runwaytest.NPMFile(t, cdxPackage, s.member, s.sha))
	}
	schema, err := c.Compile(cdxSchemas[0].url)
	if err != nil {
		t.Fatalf("compile the CycloneDX schema: %v", err)
	}
	return schema
}

// spdxSchema compiles the official SPDX 2.3 schema.
func spdxSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	const url = "http://spdx.org/rdf/terms/2.3"
	addResource(t, c, url, runwaytest.GoModuleFile(t, spdxModule, spdxMember, spdxSHA256))
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile the SPDX schema: %v", err)
	}
	return schema
}

func addResource(t *testing.T, c *jsonschema.Compiler, url string, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
}

// TestOfficialSchemas validates the golden SBOMs, and SBOMs of edge cases,
// against the official schemas, and checks that the schemas are enforced.
func TestOfficialSchemas(t *testing.T) {
	t.Parallel()
	cdxSchema, spdxSchema := cycloneDXSchema(t), spdxSchema(t)
	check := func(name string, schema *jsonschema.Schema, data []byte) {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s does not match its official schema:\n%v", name, err)
		}
	}
	check(goldenCDX, cdxSchema, must(os.ReadFile(goldenCDX)))
	check(goldenSPX, spdxSchema, must(os.ReadFile(goldenSPX)))

	edge := map[string]*runway.Inventory{
		"empty": {},
		"odd": {Components: []runway.Component{
			{Ecosystem: "npm", Name: "@scope/pkg", Version: "1.0.0-rc.1+build.5", PURL: "pkg:npm/%40scope/pkg@1.0.0-rc.1%2Bbuild.5", Licenses: []string{"Apache-2.0 WITH LLVM-exception", "SEE LICENSE IN <LICENSE & NOTICE>"}, Direct: true, Source: "a b/package-lock.json"},
			{Ecosystem: "PyPI", Name: "Django", PURL: "pkg:pypi/django", Direct: true, Source: "requirements.txt"},
			{Ecosystem: "Go", Name: "stdlib", Version: "1.22.0", PURL: "pkg:golang/stdlib@v1.22.0", Direct: true, Dev: true, Source: "go.mod"},
		}},
	}
	for name, inv := range edge {
		app := App{Name: "app with spaces/" + name}
		var c, s bytes.Buffer
		if err := WriteCycloneDX(&c, app, inv, testOpts); err != nil {
			t.Fatal(err)
		}
		if err := WriteSPDX(&s, app, inv, testOpts); err != nil {
			t.Fatal(err)
		}
		check(name+" CycloneDX", cdxSchema, c.Bytes())
		check(name+" SPDX", spdxSchema, s.Bytes())
	}

	// The schemas must be enforced, not merely loaded.
	badCDX := bytes.Replace(must(os.ReadFile(goldenCDX)), []byte(`"type": "library"`), []byte(`"type": "libary"`), 1)
	badSPDX := bytes.Replace(must(os.ReadFile(goldenSPX)), []byte(`"referenceCategory": "PACKAGE-MANAGER"`), []byte(`"referenceCategory": "PACKAGE-MANGER"`), 1)
	for name, tc := range map[string]struct {
		schema *jsonschema.Schema
		data   []byte
	}{"CycloneDX": {cdxSchema, badCDX}, "SPDX": {spdxSchema, badSPDX}} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(tc.data))
		if err != nil {
			t.Fatal(err)
		}
		if tc.schema.Validate(v) == nil {
			t.Errorf("the %s schema accepts a broken document", name)
		}
	}
}

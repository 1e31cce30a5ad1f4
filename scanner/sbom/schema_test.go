package sbom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/runwayhq/runway"
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
	cdxTarball = "cyclonedx-cyclonedx-library-10.3.0.tgz"

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

// cacheDir is where fetched schemas are kept between runs.
func cacheDir(t *testing.T) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no cache folder for the official schemas: %v", err)
	}
	dir := filepath.Join(base, "runway-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cached returns the cached copy of name when its sha256 is want.
func cached(dir, name, want string) ([]byte, bool) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	return data, err == nil && sha(data) == want
}

// fetch runs a download command in dir. It fails the test, never skips
// it: CI has npm and Go, and an SBOM that does not match its schema is a
// broken release.
func fetch(t *testing.T, dir, what string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cannot download %s: `%v` in %s failed: %v\n%s\nThis test needs npm, the go command and access to their registries.", what, args, dir, err, stderr.String())
	}
	return out
}

// cycloneDXSchema compiles the official CycloneDX 1.6 schema.
func cycloneDXSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	dir := cacheDir(t)
	c := jsonschema.NewCompiler()
	for _, s := range cdxSchemas {
		name := filepath.Base(s.member)
		data, ok := cached(dir, name, s.sha)
		if !ok {
			if _, err := os.Stat(filepath.Join(dir, cdxTarball)); err != nil {
				fetch(t, dir, "the CycloneDX 1.6 schema", "npm", "pack", "--silent", cdxPackage)
			}
			var err error
			if data, err = untarMember(filepath.Join(dir, cdxTarball), s.member); err != nil {
				t.Fatalf("read the CycloneDX schema from the npm package: %v", err)
			}
			if got := sha(data); got != s.sha {
				t.Fatalf("%s in %s has sha256 %s, want %s: the package changed or the download is corrupt", s.member, cdxTarball, got, s.sha)
			}
			replaceFile(t, filepath.Join(dir, name), data)
		}
		addResource(t, c, s.url, data)
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
	dir := cacheDir(t)
	name := "spdx-schema-2.3.json"
	data, ok := cached(dir, name, spdxSHA256)
	if !ok {
		var mod struct{ Dir string }
		if err := json.Unmarshal(fetch(t, dir, "the SPDX 2.3 schema", "go", "mod", "download", "-json", spdxModule), &mod); err != nil || mod.Dir == "" {
			t.Fatalf("go mod download %s gave no folder: %v", spdxModule, err)
		}
		var err error
		if data, err = os.ReadFile(filepath.Join(mod.Dir, spdxMember)); err != nil {
			t.Fatal(err)
		}
		if got := sha(data); got != spdxSHA256 {
			t.Fatalf("%s in %s has sha256 %s, want %s", spdxMember, spdxModule, got, spdxSHA256)
		}
		replaceFile(t, filepath.Join(dir, name), data)
	}
	c := jsonschema.NewCompiler()
	const url = "http://spdx.org/rdf/terms/2.3"
	addResource(t, c, url, data)
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

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// untarMember returns one file of a .tgz.
func untarMember(tgz, name string) ([]byte, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s has no %s", tgz, name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			return io.ReadAll(io.LimitReader(tr, 8<<20))
		}
	}
}

// replaceFile writes data to path through a temporary file, so that
// parallel test runs never read half a schema.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

package templates

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
	"gopkg.in/yaml.v3"
)

func TestList(t *testing.T) {
	t.Parallel()
	var names []string
	for _, tmpl := range List() {
		names = append(names, tmpl.Name)
		if tmpl.Version < 1 || tmpl.Title == "" || tmpl.Description == "" || tmpl.Language == "" {
			t.Errorf("%s: incomplete description: %+v", tmpl.Name, tmpl)
		}
		if strings.Contains(tmpl.Description, "\n") {
			t.Errorf("%s: description must be one line", tmpl.Name)
		}
	}
	if diff := cmp.Diff([]string{"connector", "go-api", "node-api", "static-site"}, names); diff != "" {
		t.Errorf("List() names (-want +got):\n%s", diff)
	}
}

func TestListReturnsACopy(t *testing.T) {
	t.Parallel()
	List()[0].Name = "changed"
	if List()[0].Name == "changed" {
		t.Error("changing List's result changed the catalog")
	}
}

func TestRef(t *testing.T) {
	t.Parallel()
	if got := (Template{Name: "node-api", Version: 1}).Ref(); got != "node-api@1" {
		t.Errorf("Ref() = %q, want node-api@1", got)
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref      string
		wantName string
		wantCode string
		wantMsg  []string // parts of the error message
	}{
		{ref: "node-api", wantName: "node-api"},
		{ref: "node-api@1", wantName: "node-api"},
		{ref: "go-api@1", wantName: "go-api"},
		{ref: " static-site ", wantName: "static-site"},
		{ref: "rails-app", wantCode: runway.ENOTFOUND,
			wantMsg: []string{`"rails-app"`, "connector@1", "go-api@1", "node-api@1", "static-site@1", "runway templates"}},
		{ref: "", wantCode: runway.ENOTFOUND, wantMsg: []string{"node-api@1"}},
		{ref: "node-api@2", wantCode: runway.ENOTFOUND, wantMsg: []string{`no version "2"`, "node-api@1"}},
		{ref: "node-api@latest", wantCode: runway.ENOTFOUND, wantMsg: []string{`no version "latest"`}},
		{ref: "node-api@", wantCode: runway.ENOTFOUND, wantMsg: []string{"node-api@1"}},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			t.Parallel()
			got, err := Find(tt.ref)
			if code := runway.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("Find(%q) error code = %q (%v), want %q", tt.ref, code, err, tt.wantCode)
			}
			for _, part := range tt.wantMsg {
				if !strings.Contains(runway.ErrorMessage(err), part) {
					t.Errorf("message %q does not contain %q", runway.ErrorMessage(err), part)
				}
			}
			if got.Name != tt.wantName {
				t.Errorf("Find(%q).Name = %q, want %q", tt.ref, got.Name, tt.wantName)
			}
		})
	}
}

func TestSuggestRisk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		audience runway.Audience
		data     []runway.DataClass
		want     runway.RiskLevel
	}{
		{"personal, no data", runway.AudiencePersonal, nil, runway.RiskLow},
		{"personal, internal", runway.AudiencePersonal, []runway.DataClass{runway.DataInternal}, runway.RiskMedium},
		{"team, no data", runway.AudienceTeam, nil, runway.RiskMedium},
		{"team, internal", runway.AudienceTeam, []runway.DataClass{runway.DataInternal}, runway.RiskMedium},
		{"no audience", "", nil, runway.RiskMedium},
		{"org", runway.AudienceOrg, nil, runway.RiskHigh},
		{"external", runway.AudienceExternal, []runway.DataClass{runway.DataInternal}, runway.RiskHigh},
		{"personal, pii", runway.AudiencePersonal, []runway.DataClass{runway.DataPII}, runway.RiskHigh},
		{"team, financial", runway.AudienceTeam, []runway.DataClass{runway.DataInternal, runway.DataFinancial}, runway.RiskHigh},
		{"team, health", runway.AudienceTeam, []runway.DataClass{runway.DataHealth}, runway.RiskHigh},
		{"team, credentials", runway.AudienceTeam, []runway.DataClass{runway.DataCredentials}, runway.RiskHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := SuggestRisk(tt.audience, tt.data); got != tt.want {
				t.Errorf("SuggestRisk(%q, %v) = %q, want %q", tt.audience, tt.data, got, tt.want)
			}
		})
	}
}

// TestLoadCatalogErrors checks that a broken catalog is caught with a
// message naming the template and the problem.
func TestLoadCatalogErrors(t *testing.T) {
	t.Parallel()
	const manifest = "_catalog/demo/files/runway.yaml.tmpl"
	valid := "name: demo\nversion: 1\ntitle: Demo\ndescription: A demo.\nlanguage: go\n"
	tests := []struct {
		name    string
		yaml    string
		files   bool
		wantErr string
	}{
		{"valid", valid, true, ""},
		{"folder mismatch", strings.Replace(valid, "name: demo", "name: other", 1), true, `names "other", but its folder is "demo"`},
		{"version zero", strings.Replace(valid, "version: 1", "version: 0", 1), true, "version is 0"},
		{"unknown field", valid + "colour: red\n", true, "colour"},
		{"missing title", strings.Replace(valid, "title: Demo\n", "", 1), true, "title, description and language"},
		{"no manifest", valid, false, "runway.yaml.tmpl is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{"_catalog/demo/template.yaml": {Data: []byte(tt.yaml)}}
			if tt.files {
				fsys[manifest] = &fstest.MapFile{Data: []byte("name: [[.Name]]\n")}
			}
			got, err := loadCatalog(fsys)
			if tt.wantErr == "" {
				if err != nil || len(got) != 1 || got[0].Ref() != "demo@1" {
					t.Fatalf("loadCatalog() = %+v, %v; want demo@1", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "template demo") {
				t.Errorf("loadCatalog() error = %v, want one about template demo containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadCatalogEmpty(t *testing.T) {
	t.Parallel()
	_, err := loadCatalog(fstest.MapFS{"_catalog/README": {Data: []byte("x")}})
	if err == nil {
		t.Error("an empty catalog loaded without error")
	}
	if _, err := loadCatalog(fstest.MapFS{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing catalog gave %v", err)
	}
}

// TestYAMLScalar checks that every value written into runway.yaml reads
// back as the same string, whatever it holds.
func TestYAMLScalar(t *testing.T) {
	t.Parallel()
	values := []string{
		"expense-approvals", "Submit expenses and route them to a team lead.",
		"node-api@1", "yes", "No", "null", "true", "1.5", "0x10", "", " padded ",
		"key: value", "a # comment", `quote " and backslash \`, "line\nbreak", "tab\there",
		"[list]", "{map}", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick`",
		"- dash", "? question", "<script>alert(1)</script>", "emoji ✈️", "trailing:",
	}
	for _, v := range values {
		var got struct {
			K string   `yaml:"K"`
			L []string `yaml:"L"`
		}
		doc := "K: " + yamlScalar(v) + "\nL: " + yamlFlow([]string{v, "internal"}) + "\n"
		if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
			t.Errorf("%q: %v in\n%s", v, err, doc)
			continue
		}
		if got.K != v {
			t.Errorf("yamlScalar(%q) = %s, reads back as %q", v, yamlScalar(v), got.K)
		}
		if diff := cmp.Diff([]string{v, "internal"}, got.L); diff != "" {
			t.Errorf("yamlFlow(%q) = %s, reads back wrong (-want +got):\n%s", v, yamlFlow([]string{v, "internal"}), diff)
		}
	}
}

func TestJSONString(t *testing.T) {
	t.Parallel()
	if got, want := jsonString(`a "b" <c> & d`), `"a \"b\" <c> & d"`; got != want {
		t.Errorf("jsonString = %s, want %s", got, want)
	}
}

package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/runwayhq/runway"
)

// manifestSource is the template file that becomes runway.yaml.
const manifestSource = runway.ManifestFile + templateSuffix

// templateSuffix marks a file rendered with text/template.
const templateSuffix = ".tmpl"

// file is one file of a new app, ready to write.
type file struct {
	path string // relative to the app's folder, with the OS separator
	data []byte
	mode fs.FileMode
}

// data is what a .tmpl file sees.
type data struct {
	Name          string
	Owner         string
	Description   string
	Risk          string
	Audience      string
	Data          []string
	ExpectedUsers int
	Template      string // the ref, for example node-api@1
}

func newData(t Template, o Options) data {
	d := data{
		Name: o.Name, Owner: o.Owner, Description: strings.TrimSpace(o.Description),
		Risk: string(o.Risk), Audience: string(o.Audience),
		Data: []string{}, ExpectedUsers: o.ExpectedUsers, Template: t.Ref(),
	}
	for _, c := range o.Data {
		d.Data = append(d.Data, string(c))
	}
	return d
}

// funcs are the helpers templates use to write values safely in each
// format; text/template's own html escapes for HTML.
var funcs = template.FuncMap{
	"yaml": yamlScalar,
	"json": jsonString,
	"flow": yamlFlow,
	"join": strings.Join,
}

// render renders every file of t. It renders and validates runway.yaml
// first, so bad options fail with the manifest's message.
func render(t Template, o Options) ([]file, error) {
	d := newData(t, o)
	root := t.filesDir()
	m, err := renderFile(root, manifestSource, d)
	if err != nil {
		return nil, broken(t, err)
	}
	if err := validate(m.data); err != nil {
		return nil, err
	}
	var files []file
	err = fs.WalkDir(catalogFS, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := renderFile(root, strings.TrimPrefix(p, root+"/"), d)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, broken(t, err)
	}
	return files, nil
}

// broken reports a template that does not render: a bug in the catalog,
// which the package tests catch before a release.
func broken(t Template, err error) error {
	return &runway.Error{Code: runway.EINTERNAL, Message: fmt.Sprintf("template %s is broken", t.Ref()), Err: err}
}

// renderFile renders or copies the file at rel under root.
func renderFile(root, rel string, d data) (file, error) {
	src, err := fs.ReadFile(catalogFS, path.Join(root, rel))
	if err != nil {
		return file{}, err
	}
	target := strings.TrimSuffix(rel, templateSuffix)
	out := src
	if target != rel {
		if out, err = execute(rel, src, d); err != nil {
			return file{}, err
		}
	}
	return file{path: filepath.FromSlash(target), data: out, mode: modeOf(target, out)}, nil
}

// execute renders one template with the [[ ]] delimiters.
func execute(name string, src []byte, d data) ([]byte, error) {
	tmpl, err := template.New(name).Delims("[[", "]]").Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// modeOf returns 0755 for scripts and 0644 for the rest.
func modeOf(name string, data []byte) fs.FileMode {
	if strings.HasSuffix(name, ".sh") || bytes.HasPrefix(data, []byte("#!")) {
		return 0o755
	}
	return 0o644
}

// plainScalar matches strings YAML reads back unchanged without quotes, in
// a block mapping; flowWord those it reads back unchanged in a flow list.
var (
	plainScalar = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ,._/()@-]*$`)
	flowWord    = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// yamlKeywords are plain words some YAML readers take as booleans or null.
var yamlKeywords = map[string]bool{
	"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
	"true": true, "false": true, "null": true,
}

// yamlScalar writes s as a YAML scalar: plain when that reads back as the
// same string, double-quoted otherwise.
func yamlScalar(s string) string {
	if plainScalar.MatchString(s) && !strings.HasSuffix(s, " ") && !yamlKeywords[strings.ToLower(s)] {
		return s
	}
	return jsonString(s)
}

// yamlFlow writes items as a YAML flow sequence, quoting all but plain
// words.
func yamlFlow(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = s
		if !flowWord.MatchString(s) || yamlKeywords[s] {
			quoted[i] = jsonString(s)
		}
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// jsonString writes s as a JSON string, which is also a valid YAML
// double-quoted scalar.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return `""` // a string always encodes; this is never reached
	}
	return strings.TrimSuffix(b.String(), "\n")
}

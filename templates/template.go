// Package templates holds Runway's curated app templates, embedded in the
// binary, and the scaffolder behind `runway new`.
//
// Each template is a small, working app that encodes the platform's best
// practice: a runway.yaml with the app's risk metadata, CI for GitHub
// Actions and GitLab CI that runs `runway check`, a secrets placeholder
// file, Kubernetes manifests with limits and a default-deny network policy,
// telemetry, tests, and a README written for people who are not full-time
// developers.
//
// A template lives in _catalog/<name>/: template.yaml describes it and
// files/ holds its files. Files ending in .tmpl are rendered with
// text/template using the delimiters [[ and ]] and lose the suffix; the
// others are copied byte for byte. The leading underscore keeps the go tool
// from compiling the templates' own Go code as part of Runway.
//
// It imports the root package and manifest; nothing else of Runway.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/runwayhq/runway"
	"gopkg.in/yaml.v3"
)

//go:embed all:_catalog
var catalogFS embed.FS

// catalogRoot is the folder of catalogFS that holds one folder per template.
const catalogRoot = "_catalog"

// Template describes one curated template.
type Template struct {
	// Name identifies the template, for example node-api.
	Name string `yaml:"name"`
	// Version is raised whenever the template changes in a way its users
	// should know about; a manifest records the ref it came from.
	Version int `yaml:"version"`
	// Title is a short human name, for example "Node.js web API".
	Title string `yaml:"title"`
	// Description is one line for `runway templates`.
	Description string `yaml:"description"`
	// Language is the template's main language, for example go.
	Language string `yaml:"language"`
}

// Ref returns the template's reference as a manifest records it, for
// example "node-api@1".
func (t Template) Ref() string {
	return t.Name + "@" + strconv.Itoa(t.Version)
}

// filesDir returns the folder of catalogFS that holds the template's files.
func (t Template) filesDir() string {
	return path.Join(catalogRoot, t.Name, "files")
}

// catalog loads the embedded templates once. The catalog is part of the
// binary, so a broken one is a bug that the package tests catch.
var catalog = sync.OnceValue(func() []Template {
	ts, err := loadCatalog(catalogFS)
	if err != nil {
		panic(fmt.Sprintf("templates: the embedded catalog is broken: %v", err))
	}
	return ts
})

// List returns every template, sorted by name.
func List() []Template {
	return append([]Template(nil), catalog()...)
}

// Find returns the template a reference names: "node-api" for its current
// version, or "node-api@1" for that version. An unknown name or version is
// ENOTFOUND, with a message that lists what exists.
func Find(ref string) (Template, error) {
	name, version, pinned := strings.Cut(strings.TrimSpace(ref), "@")
	for _, t := range catalog() {
		if t.Name != name {
			continue
		}
		if pinned && version != strconv.Itoa(t.Version) {
			return Template{}, runway.Errorf(runway.ENOTFOUND,
				"Template %s has no version %q. The version available is %s: use `%s`, or just `%s` for the current one.",
				t.Name, version, t.Ref(), t.Ref(), t.Name)
		}
		return t, nil
	}
	return Template{}, runway.Errorf(runway.ENOTFOUND,
		"There is no template called %q. The templates are: %s. Run `runway templates` to see what each one is for.",
		name, strings.Join(refs(), ", "))
}

// refs returns the references of every template.
func refs() []string {
	var out []string
	for _, t := range catalog() {
		out = append(out, t.Ref())
	}
	return out
}

// templateName is the form of a template's name: the manifest's `template`
// field accepts it.
var templateName = regexp.MustCompile(`^[a-z][-a-z0-9]*$`)

// loadCatalog reads every <name>/template.yaml under catalogRoot.
func loadCatalog(fsys fs.FS) ([]Template, error) {
	entries, err := fs.ReadDir(fsys, catalogRoot)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t, err := loadTemplate(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", e.Name(), err)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no template in %s", catalogRoot)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// loadTemplate reads and checks one template's description.
func loadTemplate(fsys fs.FS, dir string) (Template, error) {
	data, err := fs.ReadFile(fsys, path.Join(catalogRoot, dir, "template.yaml"))
	if err != nil {
		return Template{}, err
	}
	var t Template
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return Template{}, fmt.Errorf("template.yaml: %w", err)
	}
	switch {
	case t.Name != dir:
		return Template{}, fmt.Errorf("template.yaml names %q, but its folder is %q", t.Name, dir)
	case !templateName.MatchString(t.Name):
		return Template{}, fmt.Errorf("name %q is not lowercase letters, digits and dashes", t.Name)
	case t.Version < 1:
		return Template{}, fmt.Errorf("version is %d; it must be 1 or more", t.Version)
	case t.Title == "" || t.Description == "" || t.Language == "":
		return Template{}, fmt.Errorf("title, description and language are all required")
	}
	if _, err := fs.Stat(fsys, path.Join(t.filesDir(), manifestSource)); err != nil {
		return Template{}, fmt.Errorf("files/%s is missing: every template needs one", manifestSource)
	}
	return t, nil
}

// Package manifest reads and validates runway.yaml, the app manifest whose
// shape is Runway's contract (schema/runway.schema.json). Every problem
// names the file, line and column and says what to do, in plain words; a
// credential pasted where a secret's name belongs is refused without being
// repeated.
//
// It imports the root package, schema and yamlfile; nothing else of Runway.
package manifest

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/schema"
	"github.com/runwayhq/runway/yamlfile"
)

var compiled = sync.OnceValues(func() (*yamlfile.Schema, error) {
	return yamlfile.CompileSchema("runway.schema.json", schema.Manifest)
})

// Load reads dir/runway.yaml. A missing file is ENOTFOUND; problems with
// its content are a *yamlfile.Error.
func Load(dir string) (*runway.Manifest, error) {
	doc, err := yamlfile.ReadFile(filepath.Join(dir, runway.ManifestFile), runway.ManifestFile, yamlfile.DefaultLimits)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &runway.Error{Code: runway.ENOTFOUND, Err: err,
			Message: "There is no runway.yaml in this folder. Every app needs one: start from a template with `runway new`, or run `runway schema` to see what it holds."}
	}
	if err != nil {
		return nil, err
	}
	return fromDocument(doc)
}

// Parse reads a manifest from data.
func Parse(data []byte) (*runway.Manifest, error) {
	doc, err := yamlfile.Parse(runway.ManifestFile, data, yamlfile.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return fromDocument(doc)
}

func fromDocument(doc *yamlfile.Document) (*runway.Manifest, error) {
	s, err := compiled()
	if err != nil {
		return nil, err
	}
	leaked := credentialProblems(doc)
	problems := leaked
	if err := doc.Validate(s); err != nil {
		var ye *yamlfile.Error
		if !errors.As(err, &ye) {
			return nil, err
		}
		problems = append(problems, withoutPaths(ye.Problems, leaked)...)
	}
	if len(problems) > 0 {
		return nil, yamlfile.NewError(doc.File, problems)
	}
	var m runway.Manifest
	if err := doc.Decode(&m); err != nil {
		return nil, err
	}
	if problems := rules(doc, &m); len(problems) > 0 {
		return nil, yamlfile.NewError(doc.File, problems)
	}
	if m.Data == nil {
		m.Data = []runway.DataClass{}
	}
	if m.Integrations == nil {
		m.Integrations = []runway.Integration{}
	}
	return &m, nil
}

// withoutPaths drops the problems at the paths already explained by
// another problem.
func withoutPaths(problems, explained []yamlfile.Problem) []yamlfile.Problem {
	var out []yamlfile.Problem
	for _, p := range problems {
		dup := false
		for _, e := range explained {
			dup = dup || p.Path == e.Path
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

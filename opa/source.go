package opa

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/runwayhq/runway"
)

//go:embed policies/*.rego
var builtinFS embed.FS

// builtinPrefix names the built-in policy files in findings and errors, so
// nobody looks for them in the app's folder.
const builtinPrefix = "builtin:"

// maxPolicyFile bounds one policy or data file; real ones are a few KiB.
const maxPolicyFile = 4 << 20

// source is one policy file as read: where it came from, its text, and the
// Rego version its bundle manifest fixes (RegoUndefined: detect).
type source struct {
	file string
	// rel is the path inside its folder or bundle, starting with "/".
	rel     string
	text    string
	version ast.RegoVersion
	test    bool
}

// origin is one place policies came from: the built-in bundle, a folder, a
// .rego file or a bundle archive.
type origin struct {
	name     string
	sources  []source
	data     map[string]any
	revision string
}

// readBuiltin returns the embedded bundle.
func readBuiltin() (origin, error) {
	o := origin{name: "builtin"}
	entries, err := fs.ReadDir(builtinFS, "policies")
	if err != nil {
		return o, fmt.Errorf("read built-in policies: %w", err)
	}
	for _, e := range entries {
		data, err := builtinFS.ReadFile("policies/" + e.Name())
		if err != nil {
			return o, fmt.Errorf("read built-in policy %s: %w", e.Name(), err)
		}
		o.sources = append(o.sources, source{file: builtinPrefix + e.Name(), text: string(data), version: ast.RegoV1, test: isTest(e.Name())})
	}
	return o, nil
}

// readPath reads the policies at p: a folder (every .rego file under it,
// data.json and data.yaml files placed at their folder's path), a single
// .rego file, or an OPA bundle archive (.tar.gz).
func readPath(p string) (origin, error) {
	st, err := os.Stat(p)
	if err != nil {
		return origin{}, &runway.Error{Code: runway.EINVALID, Err: err,
			Message: fmt.Sprintf("policy path %s cannot be read: give a folder of .rego files, a .rego file or a bundle archive (.tar.gz)", p)}
	}
	switch {
	case st.IsDir():
		return readBundle(p, bundle.NewDirectoryLoader(p).WithFilter(skipHidden), p)
	case strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz"):
		f, err := os.Open(p)
		if err != nil {
			return origin{}, fmt.Errorf("open %s: %w", p, err)
		}
		defer f.Close()
		return readBundle(p, bundle.NewTarballLoaderWithBaseURL(f, p), p+":")
	case strings.HasSuffix(p, ".rego"):
		if st.Size() > maxPolicyFile {
			return origin{}, runway.Errorf(runway.EINVALID, "policy file %s is %d bytes; the limit is %d", p, st.Size(), maxPolicyFile)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return origin{}, fmt.Errorf("read %s: %w", p, err)
		}
		return origin{name: p, sources: []source{{file: p, text: string(data), test: isTest(p)}}}, nil
	default:
		return origin{}, runway.Errorf(runway.EINVALID, "policy path %s is neither a folder, a .rego file nor a bundle archive (.tar.gz)", p)
	}
}

// skipHidden leaves out hidden files and folders (.git) and everything that
// is neither Rego, data nor a bundle manifest.
func skipHidden(_ string, info fs.FileInfo, _ int) bool {
	name := info.Name()
	if strings.HasPrefix(name, ".") && name != ".manifest" && name != "." && name != ".." {
		return true
	}
	if info.IsDir() {
		return false
	}
	return !strings.HasSuffix(name, ".rego") && !isDataFile(name) && name != ".manifest"
}

func isDataFile(name string) bool {
	switch path.Base(name) {
	case "data.json", "data.yaml", "data.yml":
		return true
	}
	return false
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// readBundle reads every file a bundle loader yields. prefix is put before
// each file's path inside the bundle to name it in messages.
func readBundle(name string, l bundle.DirectoryLoader, prefix string) (origin, error) {
	o := origin{name: name, data: map[string]any{}}
	l = l.WithSizeLimitBytes(maxPolicyFile)
	var manifest *bundle.Manifest
	for {
		d, err := l.NextFile()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return o, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("policy bundle %s cannot be read", name), Err: err}
		}
		rel := "/" + strings.TrimPrefix(filepath.ToSlash(d.Path()), "/")
		var buf strings.Builder
		n, err := d.Read(&buf, maxPolicyFile+1)
		d.Close()
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if err == nil && n > maxPolicyFile {
			err = fmt.Errorf("it is larger than %d bytes", maxPolicyFile)
		}
		if err != nil {
			return o, &runway.Error{Code: runway.EINVALID, Message: fmt.Sprintf("policy file %s cannot be read", joinName(prefix, rel)), Err: err}
		}
		switch base := path.Base(rel); {
		case strings.HasSuffix(base, ".rego"):
			o.sources = append(o.sources, source{file: joinName(prefix, rel), rel: rel, text: buf.String(), test: isTest(base)})
		case base == ".manifest":
			manifest = &bundle.Manifest{}
			if err := util.UnmarshalJSON([]byte(buf.String()), manifest); err != nil {
				return o, runway.Errorf(runway.EINVALID, "the bundle manifest %s is not valid JSON: %v", joinName(prefix, rel), err)
			}
		case isDataFile(base):
			if err := o.addData(joinName(prefix, rel), rel, buf.String()); err != nil {
				return o, err
			}
		}
	}
	if manifest != nil {
		o.revision = manifest.Revision
		if err := applyManifestVersions(&o, manifest); err != nil {
			return o, err
		}
	}
	sort.Slice(o.sources, func(i, j int) bool { return o.sources[i].file < o.sources[j].file })
	return o, nil
}

// joinName names a file inside a folder or bundle for people: the folder's
// own path joined with the file's path inside it.
func joinName(prefix, rel string) string {
	if strings.HasSuffix(prefix, ":") {
		return prefix + rel
	}
	return filepath.ToSlash(filepath.Join(prefix, rel))
}

// applyManifestVersions honours a bundle manifest's rego_version and
// file_rego_versions; without them each file's version is detected.
func applyManifestVersions(o *origin, m *bundle.Manifest) error {
	for i := range o.sources {
		if m.RegoVersion == nil && len(m.FileRegoVersions) == 0 {
			return nil
		}
		v, err := m.RegoVersionForFile(o.sources[i].rel)
		if err != nil {
			return runway.Errorf(runway.EINVALID, "the bundle manifest of %s gives %s an unknown Rego version: %v", o.name, o.sources[i].rel, err)
		}
		o.sources[i].version = v
	}
	return nil
}

// addData places a data file's content at its folder's path, as OPA
// bundles do.
func (o *origin) addData(file, rel, text string) error {
	var v any
	var err error
	if strings.HasSuffix(rel, ".json") {
		err = util.UnmarshalJSON([]byte(text), &v)
	} else {
		err = util.Unmarshal([]byte(text), &v)
	}
	if err != nil {
		return runway.Errorf(runway.EINVALID, "data file %s cannot be read: %v", file, err)
	}
	node := o.data
	for _, key := range strings.Split(strings.Trim(path.Dir(rel), "/"), "/") {
		if key == "" || key == "." {
			continue
		}
		child, ok := node[key].(map[string]any)
		if !ok {
			child = map[string]any{}
			node[key] = child
		}
		node = child
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return runway.Errorf(runway.EINVALID, "data file %s must hold an object (keys and values), not %T", file, v)
	}
	for k, val := range obj {
		node[k] = val
	}
	return nil
}

// mergeData merges src into dst; a key both set to different non-objects
// is an error, as it is in OPA.
func mergeData(dst, src map[string]any, at string) error {
	for k, v := range src {
		where := strings.TrimPrefix(at+"."+k, ".")
		old, exists := dst[k]
		if !exists {
			dst[k] = v
			continue
		}
		a, aok := old.(map[string]any)
		b, bok := v.(map[string]any)
		if !aok || !bok {
			x, _ := json.Marshal(old)
			y, _ := json.Marshal(v)
			if string(x) != string(y) {
				return runway.Errorf(runway.EINVALID, "two policy sources set data.%s to different values", where)
			}
			continue
		}
		if err := mergeData(a, b, where); err != nil {
			return err
		}
	}
	return nil
}

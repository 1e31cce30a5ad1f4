package inventory

import (
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// OSV ecosystem names, as runway.Component.Ecosystem spells them.
const (
	npm    = "npm"
	golang = "Go"
	pypi   = "PyPI"
)

// purl returns the package URL of a package in an OSV ecosystem, following
// the purl specification for each type: npm scopes are the namespace, Go
// module paths are split at their last slash and carry the "v" of their
// version, and PyPI names are normalised (see pep503).
func purl(ecosystem, name, version string) string {
	typ, ns, n := "", "", name
	switch ecosystem {
	case npm:
		typ = packageurl.TypeNPM
		if i := strings.LastIndex(name, "/"); strings.HasPrefix(name, "@") && i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	case golang:
		typ = packageurl.TypeGolang
		if i := strings.LastIndex(name, "/"); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
		if version != "" {
			version = "v" + version
		}
	case pypi:
		typ, n = packageurl.TypePyPi, pep503(name)
	default:
		return ""
	}
	if s, ok := plainPURL(typ, ns, n, version); ok {
		return s
	}
	return packageurl.NewPackageURL(typ, ns, n, version, nil, "").ToString()
}

// plainPURL writes a purl whose parts need no percent-encoding (beyond an
// npm scope's "@") directly: the library's encoder costs microseconds a
// call, which adds up over thousands of packages. It reports false for
// anything else, which the library then encodes; a test holds the two to
// the same output.
func plainPURL(typ, ns, name, version string) (string, bool) {
	if name == "" || !unreserved(name) || !unreserved(version) {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(typ) + len(ns) + len(name) + len(version) + 10)
	b.WriteString("pkg:")
	b.WriteString(typ)
	b.WriteByte('/')
	for _, seg := range strings.Split(ns, "/") {
		if seg == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(seg, "@"); ok {
			b.WriteString("%40")
			seg = rest
		}
		if !unreserved(seg) {
			return "", false
		}
		b.WriteString(seg)
		b.WriteByte('/')
	}
	b.WriteString(name)
	if version != "" {
		b.WriteByte('@')
		b.WriteString(version)
	}
	return b.String(), true
}

// unreserved reports whether s has only characters a purl never encodes.
func unreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

var pep503Runs = regexp.MustCompile(`[-_.]+`)

// pep503 normalises a Python package name the way pip and PyPI compare
// them (PEP 503): lower case, with every run of "-", "_" and "." turned into
// one "-". "Flask_SQLAlchemy" and "flask.sqlalchemy" are the same package.
func pep503(name string) string {
	return pep503Runs.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}

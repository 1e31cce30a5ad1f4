package osv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// Range types of the OSV schema that order versions. GIT ranges name
// commits, which an inventory of released packages cannot place, so they
// never match; the record's versions list still does.
const (
	rangeSemver    = "SEMVER"
	rangeEcosystem = "ECOSYSTEM"
	rangeGit       = "GIT"
)

// errUnordered says a version cannot be placed in its ecosystem's order.
var errUnordered = errors.New("version cannot be ordered")

// maxVersionLen bounds a version string. Real ones are short (a Go
// pseudo-version is about 40 bytes); a huge one from a hostile lockfile or
// record would make parsing (big integers, PEP 440's regular expression)
// slow, so it is refused instead.
const maxVersionLen = 256

// version is a package version parsed in its ecosystem's own order (npm and
// Go semver, PEP 440, Maven, ...) by osv-scalibr's semantic package.
type version struct {
	raw string
	v   semantic.Version
}

// parseVersion parses s in the order of the ecosystem (an OSV ecosystem
// name, with or without a ":suffix") or, for SEMVER ranges, in semver order.
func parseVersion(s, ecosystem, rangeType string) (version, error) {
	if strings.TrimSpace(s) == "" {
		return version{}, fmt.Errorf("parse version of %s: %w: empty", ecosystem, errUnordered)
	}
	if len(s) > maxVersionLen {
		return version{}, fmt.Errorf("parse version of %s: %w: %d bytes is too long", ecosystem, errUnordered, len(s))
	}
	if rangeType == rangeSemver {
		return version{raw: s, v: semantic.ParseSemverVersion(s)}, nil
	}
	v, err := semantic.Parse(s, ecosystem)
	if err != nil {
		return version{}, fmt.Errorf("parse version %q of %s: %w: %w", s, ecosystem, errUnordered, err)
	}
	return version{raw: s, v: v}, nil
}

// compare returns -1, 0 or +1 as v is older than, the same as or newer
// than w. Both must come from the same ecosystem and range type.
func (v version) compare(w version) int {
	c, err := v.v.Compare(w.v)
	if err != nil {
		// Only versions of two orders disagree, which parseVersion's
		// callers never mix: treat as a bug in the caller.
		panic(fmt.Sprintf("compare %q with %q: %v", v.raw, w.raw, err))
	}
	return c
}

// compareVersions orders two version strings of one ecosystem; it is what
// the fuzz target and the ordering tests exercise.
func compareVersions(ecosystem, a, b string) (int, error) {
	va, err := parseVersion(a, ecosystem, rangeEcosystem)
	if err != nil {
		return 0, err
	}
	vb, err := parseVersion(b, ecosystem, rangeEcosystem)
	if err != nil {
		return 0, err
	}
	return va.compare(vb), nil
}

// baseEcosystem drops a ":release" suffix: "Debian:12" → "Debian".
func baseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

// packageKey is the name under which a package is indexed and looked up:
// the name as the ecosystem compares it. PyPI names are normalised as PEP
// 503 says (PyYAML, pyyaml and py_yaml are one package); NuGet and
// Packagist names are case-insensitive; every other ecosystem (npm, Go
// module paths, Maven group:artifact) compares names exactly.
func packageKey(ecosystem, name string) string {
	switch baseEcosystem(ecosystem) {
	case "PyPI":
		return normalizePyPI(name)
	case "NuGet", "Packagist":
		return strings.ToLower(name)
	default:
		return name
	}
}

// normalizePyPI is PEP 503's normalisation: lowercase, and every run of
// "-", "_" and "." becomes one "-".
func normalizePyPI(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

package osv

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
)

// packageMatches is one installed package version and the advisories that
// affect it: the unit of the fix ("upgrade lodash ... fixes 2 advisories").
type packageMatches struct {
	comp    runway.Component
	matches []Match
}

// upgrade is the smallest version that fixes as many of a package's
// advisories as can be fixed, and what it leaves unfixed.
type upgrade struct {
	to      string
	fixes   int
	total   int
	unfixed []string
}

// upgrade finds the smallest version that none of the fixable advisories
// affects. Advisories without any fixed version cannot be fixed by an
// upgrade and are listed apart.
func (g packageMatches) upgrade() upgrade {
	u := upgrade{total: len(g.matches)}
	var entries []*Affected
	for _, m := range g.matches {
		if m.Fixed == "" {
			u.unfixed = append(u.unfixed, m.Record.ID)
			continue
		}
		for i := range m.Record.Affected {
			entries = append(entries, &m.Record.Affected[i])
		}
	}
	if len(entries) == 0 {
		return u
	}
	t := newTarget(g.comp.Ecosystem, g.comp.Version)
	u.to = smallestFix(entries, t)
	if u.to == "" {
		// No single version escapes every fixable advisory: take the
		// newest of their own fixes, the upgrade that fixes the most.
		u.to = g.newestFix()
	}
	to := t.sibling(u.to)
	for _, m := range g.matches {
		if m.Fixed != "" && !slices.ContainsFunc(m.Record.Affected, func(a Affected) bool { return a.affects(to) }) {
			u.fixes++
		}
	}
	return u
}

func (g packageMatches) newestFix() string {
	var best version
	for _, m := range g.matches {
		if v, err := parseVersion(m.Fixed, g.comp.Ecosystem, rangeEcosystem); err == nil && (best.v == nil || v.compare(best) > 0) {
			best = v
		}
	}
	return best.raw
}

// findings returns one finding per advisory, most severe first.
func (g packageMatches) findings() []runway.Finding {
	fix := fixText(g.comp, g.upgrade())
	out := make([]runway.Finding, 0, len(g.matches))
	for _, m := range g.matches {
		out = append(out, runway.Finding{
			ID:       runway.FindingID(m.Record.ID, g.comp.Ecosystem, g.comp.Name, g.comp.Version),
			Kind:     runway.KindVulnerability,
			Severity: m.Rating.Severity,
			Title:    title(g.comp, m),
			Message:  message(g.comp, m),
			File:     g.comp.Source,
			Rule:     m.Record.ID,
			Advisory: &runway.Advisory{ID: m.Record.ID, Aliases: nonNil(m.Record.Aliases)},
			Package:  &runway.Package{Ecosystem: g.comp.Ecosystem, Name: g.comp.Name, Version: g.comp.Version, Fixed: spellLike(g.comp, m.Fixed)},
			Fix:      fix,
		})
	}
	slices.SortStableFunc(out, func(a, b runway.Finding) int {
		if d := a.Severity.Rank() - b.Severity.Rank(); d != 0 {
			return d
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func title(c runway.Component, m Match) string {
	if m.Record.Summary == "" {
		return fmt.Sprintf("%s %s has a known vulnerability (%s)", displayName(c), displayVersion(c, c.Version), m.Record.ID)
	}
	return fmt.Sprintf("%s %s has a known vulnerability: %s", displayName(c), displayVersion(c, c.Version), m.Record.Summary)
}

// message explains the advisory: what it is, how bad, how the package got
// into the app and whether a fix exists.
func message(c runway.Component, m Match) string {
	var b strings.Builder
	if m.Record.Summary != "" {
		b.WriteString(m.Record.Summary + ". ")
	}
	fmt.Fprintf(&b, "Advisory %s", m.Record.ID)
	if len(m.Record.Aliases) > 0 {
		fmt.Fprintf(&b, " (also known as %s)", strings.Join(m.Record.Aliases, ", "))
	}
	fmt.Fprintf(&b, " affects %s %s. Severity %s: %s. ", displayName(c), displayVersion(c, c.Version), m.Rating.Severity, m.Rating.Source)
	b.WriteString(origin(c))
	if m.Fixed != "" {
		fmt.Fprintf(&b, " Fixed in %s.", displayVersion(c, m.Fixed))
	} else {
		b.WriteString(" No fixed version is published yet.")
	}
	return b.String()
}

// origin says how the package came into the app.
func origin(c runway.Component) string {
	switch {
	case goItself(c):
		return fmt.Sprintf("The app is built with Go %s, as %s says.", c.Version, cmp.Or(c.Source, "go.mod"))
	case c.Direct && c.Dev:
		return fmt.Sprintf("%s is one of the app's own development dependencies (used only to build or test it).", c.Name)
	case c.Direct:
		return fmt.Sprintf("%s is one of the app's own dependencies.", c.Name)
	case len(c.IntroducedBy) > 0:
		return fmt.Sprintf("%s is not one of the app's own dependencies: it is pulled in by %s.", c.Name, joinNames(c.IntroducedBy))
	default:
		return fmt.Sprintf("%s is not one of the app's own dependencies: another package pulls it in.", c.Name)
	}
}

// joinNames lists names as a person would: "a", "a and b", "a, b and 3 more".
func joinNames(names []string) string {
	switch n := len(names); {
	case n == 1:
		return names[0]
	case n == 2:
		return names[0] + " and " + names[1]
	case n == 3:
		return names[0] + ", " + names[1] + " and " + names[2]
	default:
		return fmt.Sprintf("%s, %s and %d more", names[0], names[1], n-2)
	}
}

// goItself is true for the Go standard library and toolchain, which Go
// advisories name "stdlib" and "toolchain".
func goItself(c runway.Component) bool {
	return c.Ecosystem == "Go" && (c.Name == "stdlib" || c.Name == "toolchain")
}

// displayName is the package's name for people: Go's own packages are "Go".
func displayName(c runway.Component) string {
	if goItself(c) {
		return "Go"
	}
	return c.Name
}

// displayVersion spells a version as the ecosystem's tools do, for people
// to read and type: Go module versions take the "v" that OSV records and
// inventories may leave out (Go's own versions do not).
func displayVersion(c runway.Component, v string) string {
	if v != "" && c.Ecosystem == "Go" && !goItself(c) && !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

// spellLike spells a fixed version as the inventory spells the installed
// one, so the two compare as text in reports and policy.
func spellLike(c runway.Component, v string) string {
	if v != "" && c.Ecosystem == "Go" && strings.HasPrefix(c.Version, "v") && !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

// mergeComponents merges repeats of one package version (npm installs the
// same version under several paths) and sorts them, so each is looked up
// and reported once.
func mergeComponents(in []runway.Component) []runway.Component {
	type key struct{ eco, name, version string }
	index := map[key]int{}
	var out []runway.Component
	for _, c := range in {
		c.Ecosystem = canonicalEcosystem(c.Ecosystem)
		k := key{c.Ecosystem, packageKey(c.Ecosystem, c.Name), c.Version}
		i, seen := index[k]
		if !seen {
			index[k] = len(out)
			c.IntroducedBy = slices.Clone(c.IntroducedBy)
			out = append(out, c)
			continue
		}
		m := &out[i]
		m.Direct = m.Direct || c.Direct
		m.Dev = m.Dev && c.Dev
		m.IntroducedBy = append(m.IntroducedBy, c.IntroducedBy...)
		if m.Source == "" || c.Source != "" && c.Source < m.Source {
			m.Source = c.Source
		}
	}
	for i := range out {
		slices.Sort(out[i].IntroducedBy)
		out[i].IntroducedBy = slices.Compact(out[i].IntroducedBy)
	}
	slices.SortFunc(out, func(a, b runway.Component) int {
		return strings.Compare(a.Ecosystem+"\x00"+a.Name+"\x00"+a.Version, b.Ecosystem+"\x00"+b.Name+"\x00"+b.Version)
	})
	return out
}

// canonicalEcosystem fixes the case of a well-known OSV ecosystem name
// ("pypi" → "PyPI"); others pass unchanged.
func canonicalEcosystem(e string) string {
	for _, known := range []string{"npm", "Go", "PyPI", "Maven", "crates.io", "RubyGems", "NuGet", "Packagist", "Pub", "Hex"} {
		if strings.EqualFold(e, known) {
			return known
		}
	}
	return e
}

package sbomdiff

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// licenceChanges returns the licences of shipped components present on
// one side only, with the components that carry them on that side.
func licenceChanges(before, after map[identity]versions) []LicenseChange {
	b, a := shipped(before), shipped(after)
	var out []LicenseChange
	for l := range a {
		if !b[l] {
			out = append(out, LicenseChange{License: l, Added: true, Components: carriers(after, l)})
		}
	}
	for l := range b {
		if !a[l] {
			out = append(out, LicenseChange{License: l, Components: carriers(before, l)})
		}
	}
	return out
}

// shipped returns the licences of the components that ship.
func shipped(idx map[identity]versions) map[string]bool {
	out := map[string]bool{}
	for _, vs := range idx {
		for _, comp := range vs {
			if !comp.Dev {
				for _, l := range comp.Licenses {
					out[l] = true
				}
			}
		}
	}
	return out
}

// carriers returns the shipped components (name@version, sorted) that
// carry licence l.
func carriers(idx map[identity]versions, l string) []string {
	var out []string
	for key, vs := range idx {
		for _, comp := range vs {
			if !comp.Dev && slices.Contains(comp.Licenses, l) {
				out = append(out, key.name+"@"+comp.Version)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Summary says in one line what changed, for a reviewer's list: "3 added,
// 1 removed, 2 upgraded (1 major), new licences: GPL-3.0-only", "First
// production release: 42 components." or "No changes since the last
// production release." Counts are of components that ship; dev-only
// changes are counted apart: "...; plus 2 dev-only changes that do not
// ship".
func (c Change) Summary() string {
	dev := 0
	for _, comp := range c.Added {
		if comp.Dev {
			dev++
		}
	}
	if c.First {
		s := "First production release: " + count(len(c.Added)-dev, "component", "components")
		if dev > 0 {
			s += ", plus " + count(dev, "dev-only component", "dev-only components") + plural(dev, " that does not ship", " that do not ship")
		}
		return s + "."
	}
	if c.Empty() {
		return "No changes since the last production release."
	}
	var added, removed, upgraded, major, downgraded, changed int
	for _, comp := range c.Added {
		if !comp.Dev {
			added++
		}
	}
	for _, comp := range c.Removed {
		if comp.Dev {
			dev++
		} else {
			removed++
		}
	}
	for _, u := range c.Upgraded {
		switch {
		case u.Dev:
			dev++
		case u.Unordered:
			changed++
		case u.Downgrade:
			downgraded++
		default:
			upgraded++
			if u.Major {
				major++
			}
		}
	}
	var parts []string
	add := func(n int, s string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	add(added, "added")
	add(removed, "removed")
	if major > 0 {
		add(upgraded, fmt.Sprintf("upgraded (%d major)", major))
	} else {
		add(upgraded, "upgraded")
	}
	add(downgraded, "downgraded")
	add(changed, plural(changed, "version changed", "versions changed"))
	newL, goneL := c.licenceNames()
	if len(newL) > 0 {
		parts = append(parts, plural(len(newL), "new licence: ", "new licences: ")+strings.Join(newL, ", "))
	}
	if len(goneL) > 0 {
		parts = append(parts, plural(len(goneL), "licence no longer used: ", "licences no longer used: ")+strings.Join(goneL, ", "))
	}
	devNote := count(dev, "dev-only change", "dev-only changes") + plural(dev, " that does not ship", " that do not ship")
	switch {
	case len(parts) == 0:
		return "No changes to what ships; " + devNote + "."
	case dev > 0:
		return strings.Join(parts, ", ") + "; plus " + devNote
	}
	return strings.Join(parts, ", ")
}

// licenceNames returns the new and the gone licences, sorted.
func (c Change) licenceNames() (added, gone []string) {
	set := map[bool]map[string]bool{true: {}, false: {}}
	for _, l := range c.Licenses {
		set[l.Added][l.License] = true
	}
	return slices.Sorted(maps.Keys(set[true])), slices.Sorted(maps.Keys(set[false]))
}

func count(n int, one, many string) string {
	if n == 0 {
		return "no " + many
	}
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Package sbomdiff says what changed in an app's dependencies between two
// inventories, typically the last production release's and the candidate's,
// for the security reviewer who signs off a tier 3 release: what was added,
// removed, upgraded or downgraded, and which licences appear or disappear.
//
// A component's identity is its ecosystem and name. One identity may be
// present at several versions (npm installs a package at each version its
// dependents need), so each identity has a set of versions:
//
//   - The same version listed more than once (two lockfiles) counts once:
//     direct if any copy is direct, dev-only if every copy is, with the
//     licences of all copies.
//   - Versions present before and after are unchanged.
//   - The other versions are paired into upgrades, newest with newest,
//     first within the same major version, then across major versions.
//     What cannot be paired was added or removed.
//
// Dev-only components (build and test tools) are listed like the others,
// with Dev set, but they do not ship: Summary counts them apart, and
// licences are those of the components that ship.
//
// sbomdiff imports only the root runway package.
package sbomdiff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
)

// Change is what changed between two inventories. Every list is sorted:
// components by ecosystem, name and version; licence changes new ones
// first, then by licence.
type Change struct {
	// Added are components (at a version) that were not there before.
	Added []runway.Component
	// Removed are components (at a version) that are gone.
	Removed []runway.Component
	// Upgraded are components whose version changed, downgrades included.
	Upgraded []Upgrade
	// Licenses are the licences that appear in or disappear from what
	// ships.
	Licenses []LicenseChange
	// First is true when there was no previous inventory: everything is
	// added.
	First bool
}

// Upgrade is one component whose version changed.
type Upgrade struct {
	Ecosystem string
	Name      string
	From, To  string
	// Direct is true when the app names the component itself (after the
	// change).
	Direct bool
	// Dev is true when the component is dev-only after the change: it does
	// not ship.
	Dev bool
	// Downgrade is true when To is lower than From.
	Downgrade bool
	// Major is true when the major version changed (for 0.x versions, the
	// minor one, which semver treats as breaking).
	Major bool
	// Unordered is true when the versions cannot be compared (not semver,
	// not dotted numbers): the version changed, in which direction is not
	// known.
	Unordered bool
	// LicensesBefore and LicensesAfter are the component's licences at
	// From and at To.
	LicensesBefore, LicensesAfter []string
}

// Verb says what happened: "upgraded", "downgraded" or "changed".
func (u Upgrade) Verb() string {
	switch {
	case u.Unordered:
		return "changed"
	case u.Downgrade:
		return "downgraded"
	}
	return "upgraded"
}

// LicenseChange is a licence that appears in or disappears from what
// ships. A licence expression ("MIT OR Apache-2.0") is one licence, as
// written.
type LicenseChange struct {
	License string
	// Added is true when the licence is new, false when it is gone.
	Added bool
	// Components carry the licence, as name@version: after the change when
	// it is new, before it when it is gone.
	Components []string
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Upgraded) == 0 && len(c.Licenses) == 0
}

// Diff returns what changed from before to after. A nil before means there
// is no previous release: everything in after is added and First is set.
// A nil after is an empty inventory.
func Diff(before, after *runway.Inventory) Change {
	c := Change{First: before == nil}
	b, a := index(before), index(after)
	for key, av := range a {
		c.diffVersions(key, b[key], av)
	}
	for key, bv := range b {
		if _, ok := a[key]; !ok {
			c.diffVersions(key, bv, nil)
		}
	}
	c.Licenses = licenceChanges(b, a)
	c.sort()
	return c
}

// identity is what makes two components the same package.
type identity struct{ ecosystem, name string }

// versions are one identity's components, one per version (most
// identities have one or two).
type versions []*runway.Component

// find returns the component at version v, or nil.
func (vs versions) find(v string) *runway.Component {
	for _, c := range vs {
		if c.Version == v {
			return c
		}
	}
	return nil
}

// index groups an inventory's components by identity and version, merging
// copies of one version. It copies the components it keeps and never
// changes the inventory.
func index(inv *runway.Inventory) map[identity]versions {
	if inv == nil {
		return map[identity]versions{}
	}
	out := make(map[identity]versions, len(inv.Components))
	// One backing array, never grown, so that pointers into it stay valid.
	kept := make([]runway.Component, 0, len(inv.Components))
	for _, comp := range inv.Components {
		key := identity{comp.Ecosystem, comp.Name}
		if have := out[key].find(comp.Version); have != nil {
			have.Direct = have.Direct || comp.Direct
			have.Dev = have.Dev && comp.Dev
			have.Licenses = licences(have.Licenses, comp.Licenses)
			continue
		}
		comp.Licenses = licences(comp.Licenses)
		kept = append(kept, comp)
		out[key] = append(out[key], &kept[len(kept)-1])
	}
	return out
}

// licences returns the sorted union of licence lists, trimmed, without
// empty entries. A single list already in that form is returned as is.
func licences(lists ...[]string) []string {
	if len(lists) == 1 && clean(lists[0]) {
		return lists[0]
	}
	var out []string
	for _, list := range lists {
		for _, l := range list {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// clean reports whether list is sorted, trimmed, without empty entries or
// repeats.
func clean(list []string) bool {
	for i, l := range list {
		if l == "" || strings.TrimSpace(l) != l || (i > 0 && list[i-1] >= l) {
			return false
		}
	}
	return true
}

// diffVersions records what changed for one identity.
func (c *Change) diffVersions(key identity, before, after versions) {
	var gone, came []string
	for _, b := range before {
		if after.find(b.Version) == nil {
			gone = append(gone, b.Version)
		}
	}
	for _, a := range after {
		if before.find(a.Version) == nil {
			came = append(came, a.Version)
		}
	}
	if len(gone) == 0 && len(came) == 0 {
		return
	}
	pairs, gone, came := pair(key, gone, came)
	for _, p := range pairs {
		c.Upgraded = append(c.Upgraded, upgrade(key, before.find(p[0]), after.find(p[1])))
	}
	for _, v := range gone {
		c.Removed = append(c.Removed, *before.find(v))
	}
	for _, v := range came {
		c.Added = append(c.Added, *after.find(v))
	}
}

func upgrade(key identity, from, to *runway.Component) Upgrade {
	u := Upgrade{
		Ecosystem: key.ecosystem, Name: key.name, From: from.Version, To: to.Version,
		Direct: to.Direct, Dev: to.Dev,
		LicensesBefore: from.Licenses, LicensesAfter: to.Licenses,
	}
	order, ok := compareVersions(key, from.Version, to.Version)
	u.Unordered = !ok
	u.Downgrade = ok && order > 0
	u.Major = ok && line(key, from.Version) != line(key, to.Version)
	return u
}

// pair matches versions that went with versions that came, newest with
// newest, first within one major version, then across. It returns the
// pairs (from, to) and what is left of each side.
func pair(key identity, gone, came []string) (pairs [][2]string, leftGone, leftCame []string) {
	newestFirst := func(a, b string) int { return -order(key, a, b) }
	slices.SortFunc(gone, newestFirst)
	slices.SortFunc(came, newestFirst)
	usedGone, usedCame := make([]bool, len(gone)), make([]bool, len(came))
	for _, sameLine := range []bool{true, false} {
		for i, g := range gone {
			for j, v := range came {
				if !usedGone[i] && !usedCame[j] && (!sameLine || sameMajor(key, g, v)) {
					pairs = append(pairs, [2]string{g, v})
					usedGone[i], usedCame[j] = true, true
				}
			}
		}
	}
	for i, g := range gone {
		if !usedGone[i] {
			leftGone = append(leftGone, g)
		}
	}
	for j, v := range came {
		if !usedCame[j] {
			leftCame = append(leftCame, v)
		}
	}
	return pairs, leftGone, leftCame
}

// sameMajor reports whether two comparable versions share a major
// version.
func sameMajor(key identity, a, b string) bool {
	la, lb := line(key, a), line(key, b)
	return la != "" && la == lb
}

// sort puts every list in a stable order.
func (c *Change) sort() {
	byComponent := func(a, b runway.Component) int {
		if c := cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name)); c != 0 {
			return c
		}
		return order(identity{a.Ecosystem, a.Name}, a.Version, b.Version)
	}
	slices.SortFunc(c.Added, byComponent)
	slices.SortFunc(c.Removed, byComponent)
	slices.SortFunc(c.Upgraded, func(a, b Upgrade) int {
		if c := cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name)); c != 0 {
			return c
		}
		key := identity{a.Ecosystem, a.Name}
		return cmp.Or(order(key, a.From, b.From), order(key, a.To, b.To))
	})
	slices.SortFunc(c.Licenses, func(a, b LicenseChange) int {
		if a.Added != b.Added {
			if a.Added {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.License, b.License)
	})
}

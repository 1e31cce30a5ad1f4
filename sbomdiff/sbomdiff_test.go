package sbomdiff

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/runwaytest"
)

// comp is a shipped transitive component: comp("npm", "lodash", "4.17.21", "MIT").
func comp(eco, name, version string, licences ...string) runway.Component {
	return runway.Component{Ecosystem: eco, Name: name, Version: version, Licenses: licences}
}

func direct(c runway.Component) runway.Component { c.Direct = true; return c }
func dev(c runway.Component) runway.Component    { c.Dev = true; return c }

func inv(comps ...runway.Component) *runway.Inventory {
	return &runway.Inventory{Components: comps}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after *runway.Inventory
		want          Change
	}{
		{
			name:   "identical inventories",
			before: inv(comp("npm", "a", "1.0.0", "MIT"), comp("Go", "golang.org/x/text", "0.3.0", "BSD-3-Clause")),
			after:  inv(comp("Go", "golang.org/x/text", "0.3.0", "BSD-3-Clause"), comp("npm", "a", "1.0.0", "MIT")),
			want:   Change{},
		},
		{
			name:  "no previous release",
			after: inv(comp("npm", "b", "2.0.0", "ISC"), direct(comp("npm", "a", "1.0.0", "MIT")), dev(comp("npm", "jest", "29.0.0", "MIT"))),
			want: Change{
				First: true,
				Added: []runway.Component{direct(comp("npm", "a", "1.0.0", "MIT")), comp("npm", "b", "2.0.0", "ISC"), dev(comp("npm", "jest", "29.0.0", "MIT"))},
				Licenses: []LicenseChange{
					{License: "ISC", Added: true, Components: []string{"b@2.0.0"}},
					{License: "MIT", Added: true, Components: []string{"a@1.0.0"}},
				},
			},
		},
		{
			name: "nil before and after",
			want: Change{First: true},
		},
		{
			name:   "added, removed, upgraded, downgraded",
			before: inv(comp("npm", "gone", "1.0.0"), comp("npm", "up", "1.2.0"), comp("npm", "down", "3.1.0"), comp("Go", "example.com/m", "1.4.0")),
			after:  inv(comp("npm", "new", "0.1.0"), comp("npm", "up", "2.0.0"), comp("npm", "down", "3.0.9"), comp("Go", "example.com/m", "1.5.0-rc.1")),
			want: Change{
				Added:   []runway.Component{comp("npm", "new", "0.1.0")},
				Removed: []runway.Component{comp("npm", "gone", "1.0.0")},
				Upgraded: []Upgrade{
					{Ecosystem: "Go", Name: "example.com/m", From: "1.4.0", To: "1.5.0-rc.1"},
					{Ecosystem: "npm", Name: "down", From: "3.1.0", To: "3.0.9", Downgrade: true},
					{Ecosystem: "npm", Name: "up", From: "1.2.0", To: "2.0.0", Major: true},
				},
			},
		},
		{
			name:   "prerelease to release, and 0.x minor is major",
			before: inv(comp("npm", "pre", "2.0.0-beta.2"), comp("npm", "zero", "0.3.9"), comp("Go", "stdlib", "1.22.0")),
			after:  inv(comp("npm", "pre", "2.0.0"), comp("npm", "zero", "0.4.0"), comp("Go", "stdlib", "1.22.10")),
			want: Change{Upgraded: []Upgrade{
				{Ecosystem: "Go", Name: "stdlib", From: "1.22.0", To: "1.22.10"},
				{Ecosystem: "npm", Name: "pre", From: "2.0.0-beta.2", To: "2.0.0"},
				{Ecosystem: "npm", Name: "zero", From: "0.3.9", To: "0.4.0", Major: true},
			}},
		},
		{
			name:   "versions that cannot be compared",
			before: inv(comp("PyPI", "django", "4.2.0"), comp("PyPI", "odd", "1.0rc1"), comp("npm", "git", "github:user/repo#abc"), comp("Go", "example.com/b", "1.0.0+a")),
			after:  inv(comp("PyPI", "django", "4.10"), comp("PyPI", "odd", "1.0"), comp("npm", "git", "github:user/repo#def"), comp("Go", "example.com/b", "1.0.0+b")),
			want: Change{Upgraded: []Upgrade{
				{Ecosystem: "Go", Name: "example.com/b", From: "1.0.0+a", To: "1.0.0+b", Unordered: true},
				{Ecosystem: "PyPI", Name: "django", From: "4.2.0", To: "4.10"},
				{Ecosystem: "PyPI", Name: "odd", From: "1.0rc1", To: "1.0", Unordered: true},
				{Ecosystem: "npm", Name: "git", From: "github:user/repo#abc", To: "github:user/repo#def", Unordered: true},
			}},
		},
		{
			name: "several versions of one package",
			// 1.0.0 stays; 2.1.0 moves within major 2; what is left,
			// 0.9.0 and 3.0.0, pairs across major versions.
			before: inv(comp("npm", "ms", "0.9.0"), comp("npm", "ms", "1.0.0"), comp("npm", "ms", "2.1.0")),
			after:  inv(comp("npm", "ms", "1.0.0"), comp("npm", "ms", "2.1.3"), comp("npm", "ms", "3.0.0")),
			want: Change{
				Upgraded: []Upgrade{
					{Ecosystem: "npm", Name: "ms", From: "0.9.0", To: "3.0.0", Major: true},
					{Ecosystem: "npm", Name: "ms", From: "2.1.0", To: "2.1.3"},
				},
			},
		},
		{
			name:   "several versions: newest pairs with newest",
			before: inv(comp("npm", "ms", "1.0.0"), comp("npm", "ms", "2.0.0")),
			after:  inv(comp("npm", "ms", "3.0.0")),
			want: Change{
				Removed:  []runway.Component{comp("npm", "ms", "1.0.0")},
				Upgraded: []Upgrade{{Ecosystem: "npm", Name: "ms", From: "2.0.0", To: "3.0.0", Major: true}},
			},
		},
		{
			name:   "several versions: a copy goes away",
			before: inv(comp("npm", "ms", "2.0.0"), comp("npm", "ms", "2.1.0")),
			after:  inv(comp("npm", "ms", "2.1.0")),
			want:   Change{Removed: []runway.Component{comp("npm", "ms", "2.0.0")}},
		},
		{
			name: "the same version listed twice counts once, merged",
			before: inv(
				comp("npm", "a", "1.0.0", "MIT"),
				dev(comp("npm", "a", "1.0.0", "MIT")),
				direct(dev(comp("npm", "b", "1.0.0", "Apache-2.0"))),
				dev(comp("npm", "b", "1.0.0", "Apache-2.0")),
			),
			after: inv(
				direct(comp("npm", "a", "1.0.0", "MIT")),
				dev(comp("npm", "a", "1.0.0", " MIT ")),
				direct(dev(comp("npm", "b", "1.1.0", "Apache-2.0"))),
				dev(comp("npm", "b", "1.1.0", "Apache-2.0", "")),
			),
			want: Change{Upgraded: []Upgrade{{Ecosystem: "npm", Name: "b", From: "1.0.0", To: "1.1.0", Direct: true, Dev: true,
				LicensesBefore: []string{"Apache-2.0"}, LicensesAfter: []string{"Apache-2.0"}}}},
		},
		{
			name:   "ecosystems keep names apart",
			before: inv(comp("npm", "yaml", "1.0.0")),
			after:  inv(comp("PyPI", "yaml", "1.0.0")),
			want: Change{
				Added:   []runway.Component{comp("PyPI", "yaml", "1.0.0")},
				Removed: []runway.Component{comp("npm", "yaml", "1.0.0")},
			},
		},
		{
			name: "licence expressions are one licence each",
			before: inv(
				comp("npm", "a", "1.0.0", "MIT OR Apache-2.0"),
				comp("npm", "b", "1.0.0", "MIT"),
				comp("npm", "c", "1.0.0", "BSD-2-Clause"),
			),
			after: inv(
				comp("npm", "a", "1.1.0", "Apache-2.0 OR MIT"),
				comp("npm", "b", "1.0.0", "MIT"),
				comp("npm", "d", "1.0.0", "GPL-3.0-only"),
				dev(comp("npm", "e", "1.0.0", "AGPL-3.0-only")),
			),
			want: Change{
				Added:   []runway.Component{comp("npm", "d", "1.0.0", "GPL-3.0-only"), dev(comp("npm", "e", "1.0.0", "AGPL-3.0-only"))},
				Removed: []runway.Component{comp("npm", "c", "1.0.0", "BSD-2-Clause")},
				Upgraded: []Upgrade{{Ecosystem: "npm", Name: "a", From: "1.0.0", To: "1.1.0",
					LicensesBefore: []string{"MIT OR Apache-2.0"}, LicensesAfter: []string{"Apache-2.0 OR MIT"}}},
				Licenses: []LicenseChange{
					{License: "Apache-2.0 OR MIT", Added: true, Components: []string{"a@1.1.0"}},
					{License: "GPL-3.0-only", Added: true, Components: []string{"d@1.0.0"}},
					{License: "BSD-2-Clause", Components: []string{"c@1.0.0"}},
					{License: "MIT OR Apache-2.0", Components: []string{"a@1.0.0"}},
				},
			},
		},
		{
			name:   "a dev dependency that starts to ship brings its licence",
			before: inv(dev(comp("npm", "tool", "1.0.0", "MPL-2.0"))),
			after:  inv(comp("npm", "tool", "1.0.0", "MPL-2.0")),
			want:   Change{Licenses: []LicenseChange{{License: "MPL-2.0", Added: true, Components: []string{"tool@1.0.0"}}}},
		},
	}
	for _, tt := range tests {
		got := Diff(tt.before, tt.after)
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: Diff (-want +got):\n%s", tt.name, diff)
		}
		if got.Empty() != tt.want.Empty() {
			t.Errorf("%s: Empty() = %v", tt.name, got.Empty())
		}
	}
}

// Diff must not depend on the order of the inventories' components.
func TestDiffOrder(t *testing.T) {
	t.Parallel()
	before, after := realistic()
	want := Diff(before, after)
	for seed := range uint64(20) {
		b, a := *before, *after
		b.Components = shuffled(before.Components, seed)
		a.Components = shuffled(after.Components, seed+100)
		if diff := cmp.Diff(want, Diff(&b, &a)); diff != "" {
			t.Fatalf("the order of components changed the result:\n%s", diff)
		}
	}
}

func TestDiffDoesNotChangeInventories(t *testing.T) {
	t.Parallel()
	before := inv(comp("npm", "a", "1.0.0", " MIT", "MIT"))
	after := inv(comp("npm", "a", "2.0.0", "ISC"), comp("npm", "a", "2.0.0", "0BSD"))
	Diff(before, after)
	if got := before.Components[0].Licenses; !cmp.Equal(got, []string{" MIT", "MIT"}) {
		t.Errorf("before's licences became %q", got)
	}
	if got := after.Components[0].Licenses; !cmp.Equal(got, []string{"ISC"}) {
		t.Errorf("after's licences became %q", got)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after *runway.Inventory
		want          string
	}{
		{"identical", inv(comp("npm", "a", "1.0.0")), inv(comp("npm", "a", "1.0.0")), "No changes since the last production release."},
		{"first", nil, inv(comp("npm", "a", "1.0.0"), comp("npm", "b", "1.0.0")), "First production release: 2 components."},
		{"first with dev", nil, inv(comp("npm", "a", "1.0.0"), dev(comp("npm", "jest", "29.0.0"))),
			"First production release: 1 component, plus 1 dev-only component that does not ship."},
		{"first, empty", nil, inv(), "First production release: no components."},
		{"only dev", inv(dev(comp("npm", "jest", "29.0.0"))), inv(dev(comp("npm", "jest", "29.1.0")), dev(comp("npm", "ts", "5.0.0"))),
			"No changes to what ships; 2 dev-only changes that do not ship."},
		{"every kind", inv(comp("npm", "a", "1.0.0"), comp("npm", "b", "2.0.0"), comp("npm", "c", "x"), comp("npm", "d", "1.0.0", "MIT")),
			inv(comp("npm", "a", "1.1.0"), comp("npm", "b", "1.9.0"), comp("npm", "c", "y"), comp("npm", "e", "1.0.0", "ISC")),
			"1 added, 1 removed, 1 upgraded, 1 downgraded, 1 version changed, new licence: ISC, licence no longer used: MIT"},
	}
	for _, tt := range tests {
		if got := Diff(tt.before, tt.after).Summary(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestSummaryGolden keeps the summary of a realistic release, what a
// reviewer reads first, in testdata.
func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	before, after := realistic()
	c := Diff(before, after)
	var b strings.Builder
	b.WriteString(c.Summary() + "\n\n")
	for _, comp := range c.Added {
		b.WriteString("added     " + describe(comp) + "\n")
	}
	for _, comp := range c.Removed {
		b.WriteString("removed   " + describe(comp) + "\n")
	}
	for _, u := range c.Upgraded {
		line := u.Verb() + "  " + u.Ecosystem + " " + u.Name + " " + u.From + " -> " + u.To
		if u.Major {
			line += " (major)"
		}
		if u.Dev {
			line += " (dev-only)"
		}
		b.WriteString(line + "\n")
	}
	for _, l := range c.Licenses {
		state := "licence gone "
		if l.Added {
			state = "licence new  "
		}
		b.WriteString(state + l.License + ": " + strings.Join(l.Components, ", ") + "\n")
	}
	runwaytest.Golden(t, "testdata/summary.golden", []byte(b.String()))
}

func describe(c runway.Component) string {
	s := c.Ecosystem + " " + c.Name + "@" + c.Version
	if c.Direct {
		s += " (direct)"
	}
	if c.Dev {
		s += " (dev-only)"
	}
	return s
}

// realistic is a web app's last production inventory and its candidate's:
// a framework upgrade, a new PDF library under the GPL, a dropped
// dependency, two copies of one package, a Go service beside it.
func realistic() (before, after *runway.Inventory) {
	before = inv(
		direct(comp("npm", "express", "4.18.2", "MIT")),
		comp("npm", "body-parser", "1.20.1", "MIT"),
		comp("npm", "debug", "2.6.9", "MIT"),
		comp("npm", "debug", "4.3.4", "MIT"),
		comp("npm", "ms", "2.0.0", "MIT"),
		comp("npm", "ms", "2.1.2", "MIT"),
		direct(comp("npm", "moment", "2.29.4", "MIT")),
		direct(comp("npm", "react", "17.0.2", "MIT")),
		comp("npm", "loose-envify", "1.4.0", "MIT"),
		direct(dev(comp("npm", "jest", "29.5.0", "MIT"))),
		dev(comp("npm", "@babel/core", "7.22.5", "MIT")),
		direct(comp("Go", "github.com/go-chi/chi/v5", "5.0.8", "MIT")),
		comp("Go", "golang.org/x/text", "0.9.0", "BSD-3-Clause"),
		comp("Go", "stdlib", "1.21.5", "BSD-3-Clause"),
	)
	after = inv(
		direct(comp("npm", "express", "4.19.2", "MIT")),
		comp("npm", "body-parser", "1.20.2", "MIT"),
		comp("npm", "debug", "2.6.9", "MIT"),
		comp("npm", "debug", "4.3.5", "MIT"),
		comp("npm", "ms", "2.0.0", "MIT"),
		comp("npm", "ms", "2.1.3", "MIT"),
		direct(comp("npm", "dayjs", "1.11.10", "MIT")),
		direct(comp("npm", "react", "18.2.0", "MIT")),
		comp("npm", "loose-envify", "1.4.0", "MIT"),
		comp("npm", "scheduler", "0.23.0", "MIT"),
		direct(comp("npm", "pdfkit-gpl", "1.2.0", "GPL-3.0-only")),
		comp("npm", "fontkit", "2.0.2", "MIT OR Apache-2.0"),
		direct(dev(comp("npm", "jest", "29.7.0", "MIT"))),
		dev(comp("npm", "@babel/core", "7.22.5", "MIT")),
		dev(comp("npm", "ts-node", "10.9.2", "MIT")),
		direct(comp("Go", "github.com/go-chi/chi/v5", "5.0.12", "MIT")),
		comp("Go", "golang.org/x/text", "0.14.0", "BSD-3-Clause"),
		comp("Go", "stdlib", "1.22.1", "BSD-3-Clause"),
	)
	return before, after
}

// shuffled returns a copy of comps in an order drawn from seed.
func shuffled(comps []runway.Component, seed uint64) []runway.Component {
	out := slices.Clone(comps)
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

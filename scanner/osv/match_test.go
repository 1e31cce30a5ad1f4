package osv

import (
	"testing"
)

func ev(kind, v string) Event {
	switch kind {
	case "i":
		return Event{Introduced: v}
	case "f":
		return Event{Fixed: v}
	case "l":
		return Event{LastAffected: v}
	default:
		return Event{Limit: v}
	}
}

func rng(typ string, events ...Event) Range { return Range{Type: typ, Events: events} }

// TestAffects walks the OSV evaluation algorithm event by event.
func TestAffects(t *testing.T) {
	t.Parallel()
	eco := func(events ...Event) []Range { return []Range{rng(rangeEcosystem, events...)} }
	tests := []struct {
		name      string
		ecosystem string
		ranges    []Range
		in        []string
		out       []string
	}{
		{"introduced 0, fixed", "npm", eco(ev("i", "0"), ev("f", "4.17.21")),
			[]string{"0.0.1", "4.17.15", "4.17.20", "4.17.21-rc.1"}, []string{"4.17.21", "4.17.22", "5.0.0"}},
		{"two intervals, unsorted", "npm", eco(ev("i", "6.10.0"), ev("f", "6.10.3"), ev("i", "0"), ev("f", "6.2.4")),
			[]string{"6.2.3", "6.10.0", "6.10.2"}, []string{"6.2.4", "6.9.0", "6.10.3", "6.11.0"}},
		{"last_affected is inclusive", "PyPI", eco(ev("i", "0"), ev("l", "4.6.2")),
			[]string{"4.6.2", "4.6.2rc1", "1.0"}, []string{"4.6.2.post1", "4.6.3"}},
		{"limit ends an open range", "npm", eco(ev("i", "5.0.0"), ev("x", "6.0.0")),
			[]string{"5.0.0", "5.9.9"}, []string{"4.9.9", "6.0.0", "6.1.2"}},
		{"limit * is no limit", "npm", eco(ev("i", "5.0.0"), ev("x", "*")),
			[]string{"5.0.0", "99.0.0"}, []string{"4.0.0"}},
		{"introduced only", "Go", []Range{rng(rangeSemver, ev("i", "0.0.0-20150717181359-44718f8a89b0"))},
			[]string{"v3.2.0+incompatible", "v0.0.0-20160101000000-aaaaaaaaaaaa"}, []string{"v0.0.0-20140101000000-aaaaaaaaaaaa"}},
		{"Go pseudo-versions", "Go", []Range{rng(rangeSemver, ev("i", "0"), ev("f", "0.17.0"))},
			[]string{"v0.0.0-20220722155237-a158d28d115b", "v0.16.0", "v0.17.0-rc.1"}, []string{"v0.17.0", "v0.17.1-0.20231010000000-abcdefabcdef"}},
		{"npm pre-releases", "npm", eco(ev("i", "0"), ev("f", "7.23.2"), ev("i", "8.0.0-alpha.0"), ev("f", "8.0.0-alpha.4")),
			[]string{"7.23.1", "8.0.0-alpha.0", "8.0.0-alpha.3"}, []string{"7.23.2", "8.0.0-alpha.4", "8.0.0-alpha.10", "8.0.0"}},
		{"PEP 440", "PyPI", eco(ev("i", "2.3.0"), ev("f", "2.31.0")),
			[]string{"2.3", "2.4.0", "2.30.99", "2.31.0rc1", "2.31.0.dev1"}, []string{"2.2.9", "2.31", "2.31.0", "2.31.0.post1", "1!2.4.0"}},
		{"Maven qualifiers", "Maven", eco(ev("i", "2.0-beta9"), ev("f", "2.3.1")),
			[]string{"2.0-beta9", "2.0-rc1", "2.0", "2.3"}, []string{"2.0-beta8", "2.0-alpha1", "2.3.1", "2.4"}},
		{"GIT ranges never match", "npm", []Range{rng(rangeGit, ev("i", "0"))},
			nil, []string{"1.0.0"}},
		{"versions list", "npm", nil, []string{"0.1.1"}, []string{"0.1.2", "0.1.10"}},
		{"versions list, v spelling", "Go", nil, []string{"v1.2.3", "1.2.3"}, []string{"1.2.4"}},
		{"versions list, PEP 440 spelling", "PyPI", nil, []string{"1.0", "1.0.0", "1.0.0-RC1"}, []string{"1.0.1"}},
		{"empty event ignored", "PyPI", eco(ev("i", "0"), ev("f", "")), []string{"1.0"}, nil},
		{"unknown order: ranges cannot match", "Nonesuch", eco(ev("i", "0"), ev("f", "2.0")), nil, []string{"1.0"}},
	}
	versionsOf := map[string][]string{
		"versions list":                   {"0.1.1"},
		"versions list, v spelling":       {"1.2.3"},
		"versions list, PEP 440 spelling": {"1.0", "1.0rc1"},
	}
	for _, tt := range tests {
		a := Affected{Ecosystem: tt.ecosystem, Name: "p", Ranges: tt.ranges, Versions: versionsOf[tt.name]}
		for _, v := range tt.in {
			if !a.Affects(v) {
				t.Errorf("%s: %s should be affected", tt.name, v)
			}
		}
		for _, v := range tt.out {
			if a.Affects(v) {
				t.Errorf("%s: %s should not be affected", tt.name, v)
			}
		}
	}
}

func TestSmallestFix(t *testing.T) {
	t.Parallel()
	lodash := []Range{rng(rangeEcosystem, ev("i", "0"), ev("f", "4.17.21"))}
	pollution := []Range{rng(rangeEcosystem, ev("i", "3.7.0"), ev("f", "4.17.19"))}
	lines := []Range{rng(rangeEcosystem, ev("i", "0"), ev("f", "1.2.6"), ev("i", "2.0.0"), ev("f", "2.1.1"))}
	later := []Range{rng(rangeEcosystem, ev("i", "1.2.6"), ev("f", "1.3.0"))}
	tests := []struct {
		name      string
		ecosystem string
		installed string
		entries   [][]Range
		want      string
	}{
		{"one advisory", "npm", "4.17.15", [][]Range{pollution}, "4.17.19"},
		{"two advisories: the larger fix", "npm", "4.17.15", [][]Range{pollution, lodash}, "4.17.21"},
		{"stays on its release line", "npm", "1.0.0", [][]Range{lines}, "1.2.6"},
		{"next line when fixed in line", "npm", "2.0.5", [][]Range{lines}, "2.1.1"},
		{"a fix that another advisory covers is skipped", "npm", "1.0.0", [][]Range{lines, later}, "1.3.0"},
		{"no fix", "npm", "5.0.0", [][]Range{{rng(rangeEcosystem, ev("i", "0"))}}, ""},
		{"last_affected only", "PyPI", "4.6.0", [][]Range{{rng(rangeEcosystem, ev("i", "0"), ev("l", "4.6.2"))}}, ""},
		{"Go SEMVER", "Go", "v0.0.0-20220722155237-a158d28d115b", [][]Range{{rng(rangeSemver, ev("i", "0"), ev("f", "0.17.0"))}}, "0.17.0"},
		{"Maven fourth digit", "Maven", "2.13.2", [][]Range{{rng(rangeEcosystem, ev("i", "0"), ev("f", "2.12.6.1"), ev("i", "2.13.0"), ev("f", "2.13.2.1"))}}, "2.13.2.1"},
	}
	for _, tt := range tests {
		var entries []*Affected
		for _, r := range tt.entries {
			entries = append(entries, &Affected{Ecosystem: tt.ecosystem, Name: "p", Ranges: r})
		}
		if got := smallestFix(entries, newTarget(tt.ecosystem, tt.installed)); got != tt.want {
			t.Errorf("%s: smallestFix = %q, want %q", tt.name, got, tt.want)
		}
	}
}

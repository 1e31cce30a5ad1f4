package opa

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/runwayhq/runway"
)

// Licenses configures the licence policy (runway.licenses). Entries are
// SPDX licence ids, compared ignoring case; an entry ending in "*" matches
// every id that starts with the rest ("AGPL-*").
type Licenses struct {
	// Deny lists the licences that block tier 3 apps and warn below. Nil
	// keeps the built-in list (AGPL-* and SSPL-*); an empty, non-nil list
	// denies nothing.
	Deny []string
	// Allow, when not empty, is the only licences accepted: any other is
	// treated like a denied one.
	Allow []string
}

// data is the licence configuration as policy data
// (data.runway.config.licenses), or nil when it is all defaults.
func (l Licenses) data() map[string]any {
	out := map[string]any{}
	if l.Deny != nil {
		out["deny"] = anyList(l.Deny)
	}
	if len(l.Allow) > 0 {
		out["allow"] = anyList(l.Allow)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// licenseSummary is one licence expression found among the shipped (not
// dev-only) dependencies: the ways to satisfy it and who uses it.
type licenseSummary struct {
	Expression string `json:"expression"`
	// Choices are the minimal sets of licence ids that satisfy the
	// expression: "MIT OR Apache-2.0" has two, "MIT AND Apache-2.0" one.
	Choices [][]string `json:"choices"`
	// Components counts the shipped components under it; policies find
	// their names in sbom.components when they need them.
	Components int `json:"components"`
}

// summarizeLicenses groups the shipped components by licence expression.
func summarizeLicenses(cs []runway.Component) []licenseSummary {
	by := map[string]int{}
	for _, c := range cs {
		if c.Dev {
			continue
		}
		for _, l := range c.Licenses {
			by[l]++
		}
	}
	out := make([]licenseSummary, 0, len(by))
	for expr, n := range by {
		out = append(out, licenseSummary{Expression: expr, Choices: licenseChoices(expr), Components: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Expression < out[j].Expression })
	return out
}

// choiceCache remembers the choices of each expression: apps share a few
// dozen expressions, and working them out takes a few microseconds each.
var choiceCache sync.Map

const maxCachedChoices = 10_000

var cachedChoices atomic.Int64

// licenseChoices works out the minimal sets of licence ids that satisfy an
// SPDX expression, with go-spdx deciding what satisfies it. An expression
// go-spdx cannot read is one choice of itself, so a deny-list entry can
// still match it. Working out the choices costs up to 2^ids calls of
// go-spdx, each longer for a longer expression, and licence strings come
// from the app's lockfiles: a long or many-licence expression is one choice
// of all its ids (the strictest reading) instead.
func licenseChoices(expr string) [][]string {
	if v, ok := choiceCache.Load(expr); ok {
		return v.([][]string)
	}
	choices := computeChoices(expr)
	if cachedChoices.Add(1) <= maxCachedChoices {
		choiceCache.Store(expr, choices)
	}
	return choices
}

func computeChoices(expr string) [][]string {
	ids, err := spdxexp.ExtractLicenses(expr)
	if err != nil || len(ids) == 0 {
		if expr == "" {
			return [][]string{}
		}
		return [][]string{{expr}}
	}
	sort.Strings(ids)
	if len(ids) > maxChoiceIDs || len(expr) > maxChoiceExpr || operators(expr) > maxChoiceOperators {
		return [][]string{ids}
	}
	var out [][]string
	for size := 1; size <= len(ids); size++ {
		for mask := 1; mask < 1<<len(ids); mask++ {
			subset := pick(ids, mask)
			if len(subset) != size || hasSubset(out, subset) {
				continue
			}
			if ok, err := spdxexp.Satisfies(expr, subset); err == nil && ok {
				out = append(out, subset)
			}
		}
	}
	if len(out) == 0 {
		return [][]string{ids}
	}
	return out
}

// Bounds of licenseChoices; real expressions stay far below them.
const (
	maxChoiceIDs       = 4
	maxChoiceExpr      = 200
	maxChoiceOperators = 8
)

// operators counts the AND and OR of an expression.
func operators(expr string) int {
	n := 0
	for _, w := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(expr)) {
		if strings.EqualFold(w, "AND") || strings.EqualFold(w, "OR") {
			n++
		}
	}
	return n
}

func pick(ids []string, mask int) []string {
	var out []string
	for i, id := range ids {
		if mask&(1<<i) != 0 {
			out = append(out, id)
		}
	}
	return out
}

// hasSubset reports whether a found choice is contained in set, which is
// then not minimal.
func hasSubset(found [][]string, set []string) bool {
	for _, f := range found {
		all := true
		for _, id := range f {
			if !slices.Contains(set, id) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

package opa

import (
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/runwayhq/runway"
)

// inputSummary is input.summary: facts Runway derives from the rest of
// the input, so that policies look them up instead of walking
// input.findings, input.checks and input.sbom on every decision (walking
// a list costs about a microsecond per element in OPA, and a decision
// must take well under a millisecond). It is computed again from the other
// fields whenever an input is read back (Engine.Eval), so a what-if edit of
// the findings cannot leave it stale. data.runway.lib.summary works the
// same facts out in Rego when an input has no summary (tests, inputs
// written by hand); TestSummaryMatchesRego keeps the two identical.
type inputSummary struct {
	// Open lists, by kind, the indexes in input.findings of the findings
	// nobody accepted (suppressed false). Kinds without any are left out.
	Open map[string][]int `json:"open"`
	// Serious lists, by kind, the open findings that are critical or high.
	Serious map[string][]int `json:"serious"`
	// Fixable lists the serious open vulnerabilities whose package has a
	// fixed version.
	Fixable []int `json:"fixable"`
	// OutboundHosts are the hosts any check saw the code talk to (the
	// string elements of checks[].details.outbound_hosts), sorted, once
	// each.
	OutboundHosts []string `json:"outbound_hosts"`
	// LicenseIDs are the licence ids of sbom.licenses' choices, sorted,
	// once each.
	LicenseIDs []string `json:"license_ids"`
}

// summarize derives the summary from the findings, checks and licences.
func summarize(in *input) inputSummary {
	s := inputSummary{Open: map[string][]int{}, Serious: map[string][]int{}, Fixable: []int{}}
	for i, f := range in.Findings {
		if f.Suppressed {
			continue
		}
		kind := string(f.Kind)
		s.Open[kind] = append(s.Open[kind], i)
		if f.Severity != runway.SeverityCritical && f.Severity != runway.SeverityHigh {
			continue
		}
		s.Serious[kind] = append(s.Serious[kind], i)
		if f.Kind == runway.KindVulnerability && f.Package != nil && f.Package.Fixed != "" {
			s.Fixable = append(s.Fixable, i)
		}
	}
	hosts := map[string]bool{}
	for _, c := range in.Checks {
		// Like `some h in c.details.outbound_hosts`: the elements of an
		// array, or the values of an object.
		switch hs := c.Details["outbound_hosts"].(type) {
		case []any:
			addStrings(hosts, hs)
		case map[string]any:
			for _, h := range hs {
				addStrings(hosts, []any{h})
			}
		}
	}
	s.OutboundHosts = sortedKeys(hosts)
	ids := map[string]bool{}
	for _, l := range in.SBOM.Licenses {
		for _, choice := range l.Choices {
			for _, id := range choice {
				ids[id] = true
			}
		}
	}
	s.LicenseIDs = sortedKeys(ids)
	return s
}

func addStrings(set map[string]bool, xs []any) {
	for _, x := range xs {
		if s, ok := x.(string); ok {
			set[s] = true
		}
	}
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// term converts the summary to its OPA value, as its JSON form decodes.
func (s inputSummary) term() *ast.Term {
	return obj(
		"open", indexesTerm(s.Open),
		"serious", indexesTerm(s.Serious),
		"fixable", ints(s.Fixable),
		"outbound_hosts", strs(s.OutboundHosts),
		"license_ids", strs(s.LicenseIDs),
	)
}

func indexesTerm(m map[string][]int) *ast.Term {
	if m == nil {
		return ast.NullTerm()
	}
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	items := make([][2]*ast.Term, len(kinds))
	for i, k := range kinds {
		items[i] = [2]*ast.Term{str(k), ints(m[k])}
	}
	return ast.NewTerm(ast.NewObject(items...))
}

// ints converts indexes; OPA shares the terms of small numbers.
func ints(xs []int) *ast.Term { return list(xs, ast.InternedTerm[int]) }

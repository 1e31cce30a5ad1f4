package connector

import (
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
)

// closest returns the candidate nearest to word when it is near enough to
// be a likely typo ("amout" → "amount"), or "".
func closest(word string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(2, len(word)/3) {
		return ""
	}
	return best
}

// didYouMean returns " — did you mean `x`?" for the closest candidate, or
// "".
func didYouMean(word string, candidates []string) string {
	if c := closest(word, candidates); c != "" {
		return "; did you mean `" + c + "`?"
	}
	return ""
}

// quoteList writes names as `a`, `b` and `c`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	switch len(q) {
	case 0:
		return "none"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// sortedCopy returns s sorted, without changing s.
func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

package sast

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/runwayhq/runway"
)

// checkName is the name of the check in reports.
const checkName = "sast"

// findings turns the hits in one file into findings, in line order.
func findings(path string, hits []hit) []runway.Finding {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].line != hits[j].line {
			return hits[i].line < hits[j].line
		}
		return hits[i].column < hits[j].column
	})
	ids := occurrences{}
	out := make([]runway.Finding, 0, len(hits))
	for _, h := range hits {
		out = append(out, runway.Finding{
			ID:       ids.id(h.rule.ID, path, h.snippet),
			Check:    checkName,
			Kind:     runway.KindSAST,
			Severity: h.rule.Severity,
			Title:    titleWithCWE(h.rule.Title, h.rule.CWE),
			Message:  h.message,
			File:     path,
			Line:     h.line,
			Column:   h.column,
			Rule:     h.rule.ID,
			Fix:      h.rule.Fix,
		})
	}
	return out
}

// titleWithCWE adds the weakness number to a title: "User input is run as
// code (CWE-95)".
func titleWithCWE(title string, cwe int) string {
	if cwe <= 0 {
		return title
	}
	return fmt.Sprintf("%s (CWE-%d)", title, cwe)
}

// occurrences makes finding IDs stable and distinct: an ID hashes the
// rule, the file and the normalised code, not the line, so moving code
// keeps it; the same code twice in a file gets a counter from the second.
type occurrences map[string]int

func (o occurrences) id(rule, file, snippet string) string {
	key := rule + "\x00" + file + "\x00" + snippet
	o[key]++
	if n := o[key]; n > 1 {
		return runway.FindingID(rule, file, snippet, strconv.Itoa(n))
	}
	return runway.FindingID(rule, file, snippet)
}

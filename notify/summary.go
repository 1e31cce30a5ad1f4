package notify

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// fact is one labelled value of a notice, shown as a field or a fact.
type fact struct{ Label, Value string }

// facts lists what the notice is about, leaving out what it does not say.
func facts(n runway.Notice) []fact {
	var f []fact
	add := func(label, value string) {
		if value != "" {
			f = append(f, fact{label, value})
		}
	}
	add("App", n.App)
	add("Team", n.Team)
	add("Environment", string(n.Environment))
	if n.Tier != 0 {
		add("Tier", strconv.Itoa(int(n.Tier)))
	}
	if n.Candidate != 0 {
		add("Candidate", "#"+strconv.Itoa(n.Candidate))
	}
	return f
}

// findingsLine summarises open findings in words, such as "3 open
// findings, 1 blocking: 1 critical, 2 high." It is "" without counts.
func findingsLine(c *runway.FindingCounts) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	if c.Total == 0 {
		b.WriteString("No open findings")
	} else {
		b.WriteString(plural(c.Total, "open finding", "open findings"))
		fmt.Fprintf(&b, ", %d blocking", c.Blocking)
		var sev []string
		for _, s := range runway.Severities {
			if k := c.BySeverity[s]; k > 0 {
				sev = append(sev, fmt.Sprintf("%d %s", k, s))
			}
		}
		if len(sev) > 0 {
			b.WriteString(": " + strings.Join(sev, ", "))
		}
	}
	if c.Accepted > 0 {
		fmt.Fprintf(&b, " (%s)", plural(c.Accepted, "accepted risk", "accepted risks"))
	}
	b.WriteString(".")
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// sbomLine words the SBOM change, or is "" when there is none.
func sbomLine(n runway.Notice) string {
	if n.SBOMChange == "" {
		return ""
	}
	return "SBOM change: " + n.SBOMChange
}

// actionable reports whether a notice asks its reader to approve or reject
// a promotion.
func actionable(n runway.Notice) bool {
	return n.PromotionID > 0 && (n.Kind == runway.NoticeApprovalNeeded || n.Kind == runway.NoticeApprovalReminder)
}

// truncate cuts s to at most max runes, marking the cut with "…".
func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

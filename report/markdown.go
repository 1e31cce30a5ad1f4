package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
)

// markdownMarker starts every Markdown report, so that a CI job can find
// and update its previous pull-request comment instead of adding one.
const markdownMarker = "<!-- runway:check-report -->"

// mdWriter renders a report as a pull-request comment (GitHub Flavored
// Markdown): the decision, the checks, the fixes for non-developers and the
// technical details folded away.
type mdWriter struct{ b *bytes.Buffer }

func writeMarkdown(b *bytes.Buffer, r *runway.Report) {
	m := mdWriter{b: b}
	blocking, other := split(r)
	m.line(markdownMarker)
	m.decision(r)
	m.checks(r.Checks)
	m.fixes(GroupByAction(blocking), unexplained(r))
	m.worth(other)
	m.technical(r.Findings)
	m.sbom(r.SBOM)
}

func (m mdWriter) line(format string, args ...any) {
	fmt.Fprintf(m.b, format+"\n", args...)
}

var decisionEmoji = map[runway.Decision]string{
	runway.DecisionPass:          "✅",
	runway.DecisionNeedsApproval: "⏳",
	runway.DecisionBlocked:       "⛔",
}

func (m mdWriter) decision(r *runway.Report) {
	emoji := decisionEmoji[r.Decision]
	if emoji == "" {
		emoji = "⛔"
	}
	m.line("## %s %s\n", emoji, mdBlock(decisionLine(r)))
	facts := []string{}
	if r.App != "" {
		facts = append(facts, "**"+mdInline(r.App, false)+"**")
	}
	facts = append(facts, mdInline(tierLine(r), false))
	by := "checked in " + duration(r.DurationMS)
	if r.RunwayVersion != "" {
		by = "checked by runway " + mdInline(r.RunwayVersion, false) + " in " + duration(r.DurationMS)
	}
	m.line("%s\n", strings.Join(append(facts, by), " · "))
	for _, reason := range r.Risk.Reasons {
		m.line("- %s", mdBlock(reason))
	}
	if len(r.Risk.Reasons) > 0 {
		m.line("")
	}
	if r.Decision == runway.DecisionNeedsApproval {
		m.line("**Next:** nothing blocks it; before it goes to staging or production the approvers above must say yes.\n")
	}
}

var statusEmoji = map[runway.CheckStatus]string{
	runway.StatusPass:    "✅",
	runway.StatusFail:    "❌",
	runway.StatusWarn:    "⚠️",
	runway.StatusSkipped: "⏭️",
	runway.StatusError:   "❗",
}

func (m mdWriter) checks(cs []runway.CheckResult) {
	if len(cs) == 0 {
		return
	}
	m.line("### Checks\n")
	m.line("| Status | Check | Time | Result |")
	m.line("| --- | --- | ---: | --- |")
	for _, c := range cs {
		status := strings.TrimSpace(statusEmoji[c.Status] + " " + mdInline(string(c.Status), true))
		m.line("| %s | %s | %s | %s |", status, mdInline(c.Name, true), duration(c.DurationMS), mdInline(c.Summary, true))
	}
	m.line("")
}

// fixes writes the numbered steps that unblock the app, one group per
// action.
func (m mdWriter) fixes(groups []ActionGroup, checks []runway.CheckResult) {
	if len(groups) == 0 && len(checks) == 0 {
		return
	}
	m.line("### Fix for non-devs\n")
	m.line("Do these steps, then run `runway check` again.\n")
	for _, g := range groups {
		m.line("#### %s\n", mdInline(g.Title(), false))
		for i, f := range g.Findings {
			m.finding(fmt.Sprintf("%d.", i+1), f)
		}
	}
	if len(checks) > 0 {
		m.line("#### %s (%s)\n", unexplainedAction, plural(len(checks), "problem"))
		for i, c := range checks {
			m.line("%d. **%s** %s: %s\n", i+1, mdInline(c.Name, false), statusEmoji[c.Status], mdInline(c.Summary, false))
		}
	}
}

func (m mdWriter) worth(fs []runway.Finding) {
	if len(fs) == 0 {
		return
	}
	m.line("### Worth a look (%d)\n", len(fs))
	m.line("These do not block the app, but fixing them makes it safer.\n")
	for _, f := range fs {
		m.finding("-", f)
	}
}

// finding writes one list item: the title, how bad and where, the details
// (output excerpts in a fenced block), the package and the fix.
func (m mdWriter) finding(marker string, f runway.Finding) {
	indent := strings.Repeat(" ", len(marker)+1)
	head := fmt.Sprintf("%s **%s** (%s)", marker, mdInline(f.Title, false), f.Severity)
	if w := shownWhere(f); w != "" {
		head += " in " + mdCode(w, false)
	}
	m.line("%s\n", head)
	if d := details(f); strings.Contains(d, "\n") {
		m.line("%s\n", mdFence(d, indent))
	} else if d != "" {
		m.line("%s%s\n", indent, mdBlock(d))
	}
	if p := packageLine(f); p != "" {
		m.line("%sPackage: %s\n", indent, mdInline(p, false))
	}
	if f.Fix != "" {
		m.line("%s**Fix:** %s\n", indent, mdInline(f.Fix, false))
	}
}

// technical folds a table of every finding into a <details> block, for
// the developer who helps.
func (m mdWriter) technical(fs []runway.Finding) {
	if len(fs) == 0 {
		return
	}
	withPkg := false
	for _, f := range fs {
		withPkg = withPkg || packageLine(f) != ""
	}
	m.line("<details>\n<summary>Technical details (%s)</summary>\n", plural(len(fs), "finding"))
	head, rule := "| Severity | Blocking | Check | Rule | Location | Title |", "| --- | --- | --- | --- | --- | --- |"
	if withPkg {
		head, rule = head+" Package |", rule+" --- |"
	}
	m.line("%s ID |\n%s --- |", head, rule)
	for _, f := range fs {
		cells := []string{string(f.Severity), yesNo(f.Blocking), mdInline(f.Check, true), mdCode(f.Rule, true), mdCode(where(f), true), mdInline(f.Title, true)}
		if withPkg {
			cells = append(cells, mdInline(packageLine(f), true))
		}
		cells = append(cells, mdCode(f.ID, true))
		m.line("| %s |", strings.Join(cells, " | "))
	}
	m.line("\n</details>\n")
}

func (m mdWriter) sbom(s *runway.SBOMSummary) {
	if s == nil {
		return
	}
	parts := []string{plural(s.Components, "component")}
	for _, f := range []string{s.CycloneDX, s.SPDX} {
		if f != "" {
			parts = append(parts, mdCode(f, false))
		}
	}
	m.line("Software bill of materials: %s", strings.Join(parts, " · "))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

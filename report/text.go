package report

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
)

// textWriter renders a report for a terminal: the checks, the decision,
// then what to fix, grouped by action, and what is worth a look.
type textWriter struct {
	b *bytes.Buffer
	p palette
	// logs maps a check that did not pass to its full output.
	logs map[string]string
}

func writeText(b *bytes.Buffer, r *runway.Report, color bool) {
	t := textWriter{b: b, p: palette{on: color}, logs: map[string]string{}}
	for _, c := range r.Checks {
		if c.Status != runway.StatusPass && c.Log != "" {
			t.logs[c.Name] = c.Log
		}
	}
	t.header(r)
	t.checks(r.Checks)
	t.decision(r)
	blocking, other := split(r)
	t.fixes(GroupByAction(blocking), unexplained(r))
	t.worth(other)
	t.sbom(r.SBOM)
}

// line prints one line. String arguments are cleaned of terminal escapes;
// painted ones are already clean.
func (t textWriter) line(format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = clean(s)
		}
	}
	fmt.Fprintf(t.b, format+"\n", args...)
}

func (t textWriter) header(r *runway.Report) {
	app := r.App
	if app == "" {
		app = "(app without a valid runway.yaml)"
	}
	t.line("%s", t.p.bold("Runway check: "+app))
	var facts []string
	if r.RunwayVersion != "" {
		facts = append(facts, "runway "+r.RunwayVersion)
	}
	if !r.StartedAt.IsZero() {
		facts = append(facts, "started "+r.StartedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	facts = append(facts, "took "+duration(r.DurationMS))
	t.line("%s", strings.Join(facts, " · "))
}

func (t textWriter) checks(cs []runway.CheckResult) {
	if len(cs) == 0 {
		return
	}
	width := 0
	for _, c := range cs {
		width = max(width, len(c.Name))
	}
	t.line("\n%s", t.p.bold("Checks"))
	for _, c := range cs {
		t.line("  %s %-*s  %6s  %s", t.p.symbol(c.Status), width, c.Name, duration(c.DurationMS), c.Summary)
	}
}

func (t textWriter) decision(r *runway.Report) {
	t.line("")
	t.line("%s", t.p.decision(r.Decision, decisionLine(r)))
	t.line("%s", tierLine(r))
	for _, reason := range r.Risk.Reasons {
		t.line("  • %s", reason)
	}
	if r.Decision == runway.DecisionNeedsApproval {
		t.line("Next: nothing blocks it; before it goes to staging or production the approvers above must say yes.")
	}
}

// fixes lists the blocking findings by action, then the checks that did
// not pass without saying why in a finding.
func (t textWriter) fixes(groups []ActionGroup, checks []runway.CheckResult) {
	if len(groups) == 0 && len(checks) == 0 {
		return
	}
	t.line("\n%s", t.p.bold("What to fix"))
	for _, g := range groups {
		t.line("\n%s", t.p.bold(g.Title()))
		for i, f := range g.Findings {
			t.finding(fmt.Sprintf("%d.", i+1), f)
		}
	}
	if len(checks) > 0 {
		t.line("\n%s", t.p.bold(fmt.Sprintf("%s (%s)", unexplainedAction, plural(len(checks), "problem"))))
		for i, c := range checks {
			t.line("  %d. %s %s: %s", i+1, t.p.symbol(c.Status), c.Name, c.Summary)
			if c.Log != "" {
				t.line("     Full output: %s", c.Log)
			}
		}
	}
	t.line("\nThen run `runway check` again.")
}

func (t textWriter) worth(fs []runway.Finding) {
	if len(fs) == 0 {
		return
	}
	t.line("\n%s", t.p.bold(fmt.Sprintf("Worth a look (%d)", len(fs))))
	t.line("These do not block the app, but fixing them makes it safer.")
	for _, f := range fs {
		t.finding("-", f)
	}
}

// finding prints one finding as a list item: where, what, how bad, the
// details (output excerpts indented further) and the fix.
func (t textWriter) finding(marker string, f runway.Finding) {
	head := f.Title
	if w := shownWhere(f); w != "" {
		head = w + "  " + head
	}
	t.line("  %s %s  (%s)", marker, head, t.p.severity(f.Severity))
	indent := strings.Repeat(" ", len(marker)+3)
	if d := details(f); d != "" {
		extra := ""
		if strings.Contains(d, "\n") {
			extra = "  "
		}
		for _, l := range strings.Split(d, "\n") {
			t.line("%s", strings.TrimRight(indent+extra+l, " "))
		}
	}
	if log := t.logs[f.Check]; log != "" {
		t.line("%sFull output: %s", indent, log)
	}
	if p := packageLine(f); p != "" {
		t.line("%sPackage: %s", indent, p)
	}
	if f.Fix != "" {
		t.line("%sFix: %s", indent, f.Fix)
	}
}

func (t textWriter) sbom(s *runway.SBOMSummary) {
	if s == nil {
		return
	}
	files := []string{plural(s.Components, "component")}
	for _, f := range []string{s.CycloneDX, s.SPDX} {
		if f != "" {
			files = append(files, f)
		}
	}
	t.line("\nSoftware bill of materials: %s", strings.Join(files, " · "))
}

package opa

import (
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
)

// policyCheck is the name of the policy step in the report's checks.
const policyCheck = "policy"

// findings turns the decision's denies and warnings into report findings:
// a deny blocks (severity high), a warning does not (severity medium).
func (d *Decision) findings() []runway.Finding {
	out := make([]runway.Finding, 0, len(d.Denies)+len(d.Warnings))
	for _, v := range d.Denies {
		out = append(out, v.finding(true))
	}
	for _, v := range d.Warnings {
		out = append(out, v.finding(false))
	}
	return out
}

// markBlocking makes the findings a deny names block, so that a person sees
// them under what to fix (grouped by action: rotate these keys, upgrade
// those packages) beside the policy finding that says why. An accepted
// (suppressed) finding never blocks.
func (d *Decision) markBlocking(fs []runway.Finding) {
	named := map[string]bool{}
	for _, v := range d.Denies {
		for _, id := range v.Findings {
			named[id] = true
		}
	}
	for i := range fs {
		if named[fs[i].ID] && fs[i].Suppression == nil {
			fs[i].Blocking = true
		}
	}
}

func (v Violation) finding(blocking bool) runway.Finding {
	f := runway.Finding{
		ID:       runway.FindingID(policyCheck, v.Rule, v.Message),
		Check:    policyCheck,
		Kind:     runway.KindPolicy,
		Severity: runway.SeverityMedium,
		Title:    v.Message,
		Message:  v.why(blocking),
		File:     v.File,
		Line:     v.Line,
		Rule:     v.Rule,
		Fix:      v.fix(blocking),
		Blocking: blocking,
	}
	if blocking {
		f.Severity = runway.SeverityHigh
	}
	return f
}

// why says why the policy matters and where the rule is.
func (v Violation) why(blocking bool) string {
	var b strings.Builder
	if v.Why != "" {
		b.WriteString(sentence(v.Why))
		b.WriteString(" ")
	}
	verb := "blocks the app"
	if !blocking {
		verb = "warns about this"
	}
	fmt.Fprintf(&b, "Rule %s (%s) %s.", v.Rule, where(v.File, v.Line), verb)
	if e := v.Exception; e != nil {
		fmt.Fprintf(&b, " An exception approved by %s lets it through until %s: %s", e.Approver, e.Expires, sentence(e.Reason))
	}
	return b.String()
}

// fix says how to fix it and, for what blocks, who can grant an exception.
func (v Violation) fix(blocking bool) string {
	fix := v.Fix
	if fix == "" {
		fix = "Change the app so that the rule no longer applies, then run `runway check` again; `runway policy explain` shows the full reasoning."
	}
	if v.Exception != nil {
		return sentence(fix) + fmt.Sprintf(" The exception ends after %s; fix it before then.", v.Exception.Expires)
	}
	if !blocking {
		return sentence(fix)
	}
	return sentence(fix) + " " + exceptionText(v)
}

func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	if file == "" {
		return "an unknown file"
	}
	return file
}

// sentence ends s with a full stop unless it ends with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// checkResult is the policy step's line in the report's checks.
func (d *Decision) checkResult(ms int64) runway.CheckResult {
	c := runway.CheckResult{Name: policyCheck, Status: runway.StatusPass, DurationMS: ms}
	switch {
	case len(d.Denies) > 0:
		c.Status = runway.StatusFail
	case len(d.Warnings) > 0:
		c.Status = runway.StatusWarn
	}
	c.Summary = fmt.Sprintf("%s evaluated: %s, %s; tier %d.", count(len(d.Packages), "policy package", "policy packages"),
		count(len(d.Denies), "rule blocks", "rules block"), count(len(d.Warnings), "warning", "warnings"), d.Tier)
	return c
}

func count(n int, one, many string) string {
	switch n {
	case 0:
		return "no " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

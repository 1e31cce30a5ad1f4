package opa

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"

	"github.com/runwayhq/runway"
)

// ExplainModes are the trace filters `runway policy eval --explain` takes,
// as `opa eval --explain` does.
var ExplainModes = []string{"full", "notes", "fails"}

// writeTrace writes OPA's evaluation trace, filtered, with locations.
func writeTrace(w io.Writer, trace []*topdown.Event, mode string) error {
	switch mode {
	case "notes":
		trace = lineage.Notes(trace)
	case "fails":
		trace = lineage.Fails(trace)
	case "full", "":
		trace = lineage.Full(trace)
	default:
		return runway.Errorf(runway.EINVALID, "explain mode %q is not one of full, notes, fails", mode)
	}
	topdown.PrettyTraceWithLocation(w, trace)
	return nil
}

var decisionWords = map[runway.Decision]string{
	runway.DecisionPass:          "PASS: it may ship without approval",
	runway.DecisionNeedsApproval: "NEEDS APPROVAL before it ships",
	runway.DecisionBlocked:       "BLOCKED: it cannot ship until the problems below are fixed",
}

// Explain writes the full reasoning of a decision in plain words: the
// decision, the tier and every fact behind it, each rule that blocks or
// warns with its policy file, the fix and who can grant an exception, the
// approvals and why, and the exceptions considered.
func (d *Decision) Explain(w io.Writer) error {
	b := bufio.NewWriter(w)
	app := d.App
	if app == "" {
		app = "(unknown app: runway.yaml could not be read)"
	}
	fmt.Fprintf(b, "Decision for %s, going to %s: %s.\n", app, d.Environment, decisionWords[d.Decision])
	d.explainTier(b)
	d.explainViolations(b, "Blocks", d.Denies)
	if len(d.BlockingFindings) > 0 {
		fmt.Fprintf(b, "\nFindings that block by themselves (%d):\n", len(d.BlockingFindings))
		for _, t := range d.BlockingFindings {
			fmt.Fprintf(b, "  • %s\n", t)
		}
		b.WriteString("  Fix them as each finding says; `runway check` lists them with their files.\n")
	}
	d.explainViolations(b, "Warnings", d.Warnings)
	d.explainApprovals(b)
	d.explainExceptions(b)
	fmt.Fprintf(b, "\nPolicies: %s (revision %s).\n", strings.Join(d.Packages, ", "), d.Revision)
	return b.Flush()
}

func (d *Decision) explainTier(b *bufio.Writer) {
	fmt.Fprintf(b, "\nTier %d, risk %s", d.Tier, d.Risk.Effective)
	switch {
	case d.Risk.Declared == "":
		b.WriteString(".")
	case d.Risk.Declared == d.Risk.Effective:
		fmt.Fprintf(b, " (as you declared).")
	default:
		fmt.Fprintf(b, " (you declared %s; the facts below raise it, and a declared risk never lowers it).", d.Risk.Declared)
	}
	b.WriteString(" The tier is the highest that any fact calls for:\n")
	for _, r := range d.Risk.Reasons {
		fmt.Fprintf(b, "  • %s\n", r)
	}
}

func (d *Decision) explainViolations(b *bufio.Writer, title string, vs []Violation) {
	if len(vs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d):\n", title, len(vs))
	for i, v := range vs {
		fmt.Fprintf(b, "  %d. %s\n", i+1, sentence(v.Message))
		if v.Why != "" {
			fmt.Fprintf(b, "     Why: %s\n", sentence(v.Why))
		}
		fmt.Fprintf(b, "     Rule: %s, in %s\n", v.Rule, where(v.File, v.Line))
		fmt.Fprintf(b, "     Fix: %s\n", v.fix(v.Level == "deny"))
	}
}

func (d *Decision) explainApprovals(b *bufio.Writer) {
	switch {
	case len(d.Approvals) > 0:
		fmt.Fprintf(b, "\nApprovals required (%d):\n", len(d.Approvals))
		for _, a := range d.Approvals {
			fmt.Fprintf(b, "  • %s: %s (%s, %s)\n", a.Role, orDefault(a.Reason, "required by this policy"), a.Package, where(a.File, a.Line))
		}
	case len(d.Waived) > 0:
		fmt.Fprintf(b, "\nNo approvals required: %s allows this tier 1 app, which waives:\n", strings.Join(d.AllowedBy, ", "))
		for _, a := range d.Waived {
			fmt.Fprintf(b, "  • %s (%s)\n", a.Role, a.Package)
		}
	default:
		fmt.Fprintf(b, "\nNo approvals required at tier %d in %s.\n", d.Tier, d.Environment)
	}
	if len(d.AllowedBy) > 0 && d.Tier > 1 {
		fmt.Fprintf(b, "  %s says allow, but allow only waives approvals for tier 1 apps; this one is tier %d.\n", strings.Join(d.AllowedBy, ", "), d.Tier)
	}
}

func (d *Decision) explainExceptions(b *bufio.Writer) {
	if len(d.Exceptions) == 0 {
		return
	}
	fmt.Fprintf(b, "\nExceptions for this app (%d):\n", len(d.Exceptions))
	for _, e := range d.Exceptions {
		state := "applies"
		if !e.Active {
			state = "does not apply (expired, or not for " + d.Environment + ")"
		}
		fmt.Fprintf(b, "  • %s until %s, approved by %s: %s — %s\n", e.Rule, e.Expires, e.Approver, sentence(e.Reason), state)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

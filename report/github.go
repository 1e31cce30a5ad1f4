package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// annotation is one GitHub Actions workflow command that annotates a file
// in the pull request: ::error, ::warning or ::notice.
type annotation struct {
	Command string
	// Props are the command's properties, in order, as key and value.
	Props   [][2]string
	Message string
}

// String returns the workflow command, escaped as @actions/core does.
func (a annotation) String() string {
	var props []string
	for _, p := range a.Props {
		props = append(props, p[0]+"="+escapeProperty(p[1]))
	}
	cmd := "::" + a.Command
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + escapeData(a.Message)
}

// annotationFor turns a finding into a workflow command: an error when it
// blocks, a warning for other critical, high and medium findings, a notice
// for the rest.
func annotationFor(f runway.Finding) annotation {
	a := annotation{Command: "notice"}
	switch {
	case f.Blocking:
		a.Command = "error"
	case f.Severity.Rank() <= runway.SeverityMedium.Rank():
		a.Command = "warning"
	}
	if f.File != "" {
		a.Props = append(a.Props, [2]string{"file", f.File})
	}
	if f.Line > 0 {
		a.Props = append(a.Props, [2]string{"line", strconv.Itoa(f.Line)})
	}
	if f.Column > 0 {
		a.Props = append(a.Props, [2]string{"col", strconv.Itoa(f.Column)})
	}
	if f.Title != "" {
		a.Props = append(a.Props, [2]string{"title", f.Title})
	}
	a.Message = annotationMessage(f)
	return a
}

// annotationMessage is what the annotation says under its title: the
// details, the package and the fix, so the reader knows what to do without
// opening the log.
func annotationMessage(f runway.Finding) string {
	var parts []string
	if d := details(f); d != "" {
		parts = append(parts, d)
	}
	if p := packageLine(f); p != "" {
		parts = append(parts, "Package: "+p)
	}
	if f.Fix != "" {
		parts = append(parts, "Fix: "+f.Fix)
	}
	if len(parts) == 0 {
		return f.Title
	}
	return strings.Join(parts, "\n\n")
}

// writeGitHub writes one annotation per finding and a summary line to w,
// then the Markdown report to summary when it is not nil.
func writeGitHub(w io.Writer, r *runway.Report, summary io.Writer) error {
	var buf bytes.Buffer
	for _, f := range r.Findings {
		buf.WriteString(annotationFor(f).String())
		buf.WriteByte('\n')
	}
	buf.WriteString(summaryLine(r))
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	if summary == nil {
		return nil
	}
	buf.Reset()
	writeMarkdown(&buf, r)
	if _, err := summary.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write the job summary: %w", err)
	}
	return nil
}

// summaryLine says the decision and the counts in one plain line, such as
// "Runway check of expense-approvals: Blocked. 5 problems block it, 1 is
// worth a look. Checks: 3 passed, 2 failed."
func summaryLine(r *runway.Report) string {
	blocking, other := split(r)
	app := r.App
	if app == "" {
		app = "this app"
	}
	var verdict string
	switch r.Decision {
	case runway.DecisionPass:
		verdict = "Ready"
	case runway.DecisionNeedsApproval:
		verdict = "Needs approval"
		if len(r.ApprovalsRequired) > 0 {
			verdict += " from " + roles(r.ApprovalsRequired)
		}
	case runway.DecisionBlocked:
		verdict = "Blocked"
	default:
		verdict = "No decision"
	}
	s := fmt.Sprintf("Runway check of %s: %s (tier %s). %s, %s.", app, verdict, tierNumber(r.Tier),
		blockWords(len(blocking)), worthWords(len(other)))
	if c := counts(r.Checks); c != "" {
		s += " Checks: " + c + "."
	}
	return s
}

func tierNumber(t runway.Tier) string {
	if t < 1 || t > 3 {
		return "unknown"
	}
	return strconv.Itoa(int(t))
}

func blockWords(n int) string {
	switch n {
	case 0:
		return "Nothing blocks it"
	case 1:
		return "1 problem blocks it"
	default:
		return fmt.Sprintf("%d problems block it", n)
	}
}

func worthWords(n int) string {
	switch n {
	case 0:
		return "nothing else to look at"
	case 1:
		return "1 more is worth a look"
	default:
		return fmt.Sprintf("%d more are worth a look", n)
	}
}

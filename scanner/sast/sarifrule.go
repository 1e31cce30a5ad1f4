package sast

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/runwayhq/runway"
)

// Lengths of what a SARIF file may put in a finding.
const (
	maxSARIFTitle   = 120
	maxSARIFMessage = 400
	maxSARIFFix     = 800
)

// severity maps a result to a severity: the rule's security-severity
// score when the tool gives one (CodeQL, Semgrep), else the level.
func severity(res *sarif.Result, rd *sarif.ReportingDescriptor) runway.Severity {
	if rd != nil && rd.Properties != nil {
		if s, ok := securitySeverity(rd.Properties.Properties["security-severity"]); ok {
			switch {
			case s >= 9:
				return runway.SeverityCritical
			case s >= 7:
				return runway.SeverityHigh
			case s >= 4:
				return runway.SeverityMedium
			case s > 0:
				return runway.SeverityLow
			}
		}
	}
	level := res.Level
	if level == "" && rd != nil && rd.DefaultConfiguration != nil {
		level = rd.DefaultConfiguration.Level
	}
	switch level {
	case "error":
		return runway.SeverityHigh
	case "note":
		return runway.SeverityLow
	case "none":
		return runway.SeverityInfo
	}
	return runway.SeverityMedium // SARIF's default level is warning
}

func securitySeverity(v any) (float64, bool) {
	switch x := v.(type) {
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// message is the result's text with its {0} arguments filled in, its
// whitespace collapsed and anything that looks like a token redacted.
func (r *sarifRun) message(res *sarif.Result, rd *sarif.ReportingDescriptor) string {
	m := res.Message
	if m == nil {
		return ""
	}
	text := ""
	switch {
	case m.Text != nil:
		text = *m.Text
	case m.Markdown != nil:
		text = *m.Markdown
	case m.ID != nil && rd != nil:
		if s, ok := rd.MessageStrings[*m.ID]; ok && s.Text != nil {
			text = *s.Text
		}
	}
	for i, arg := range m.Arguments {
		if i >= 32 {
			break
		}
		text = strings.ReplaceAll(text, "{"+strconv.Itoa(i)+"}", arg)
	}
	text = relatedLink.ReplaceAllString(text, "$1")
	return truncate(redactTokens(strings.Join(strings.Fields(text), " ")), maxSARIFMessage)
}

// relatedLink is CodeQL's link to a related location: [user input](1).
var relatedLink = regexp.MustCompile(`\[([^\]]+)\]\(\d+\)`)

// title is the rule's short description or name, with its CWE.
func (r *sarifRun) title(ruleID string, rd *sarif.ReportingDescriptor, msg string) string {
	title := ""
	if rd != nil {
		// Semgrep's short description only repeats the rule's id; its full
		// description says what is wrong.
		for _, s := range []*sarif.MultiformatMessageString{rd.ShortDescription, rd.FullDescription} {
			if s != nil && s.Text != nil && *s.Text != "" && !strings.Contains(*s.Text, ruleID) {
				title, _, _ = strings.Cut(*s.Text, ". ")
				break
			}
		}
		if title == "" && rd.Name != nil && !strings.Contains(*rd.Name, ruleID) {
			title = *rd.Name
		}
	}
	if title == "" {
		title, _, _ = strings.Cut(msg, ". ")
	}
	if title == "" {
		title = fmt.Sprintf("%s reported %s", r.tool, ruleID)
	}
	title = truncate(strings.Join(strings.Fields(title), " "), maxSARIFTitle)
	return titleWithCWE(strings.TrimSuffix(title, "."), ruleCWE(rd))
}

var cweTag = regexp.MustCompile(`(?i)\bcwe[-/ ]?(\d{1,5})\b`)

// ruleCWE finds a CWE number in the rule's tags (CodeQL writes
// external/cwe/cwe-079, Semgrep "CWE-89: ...").
func ruleCWE(rd *sarif.ReportingDescriptor) int {
	if rd == nil || rd.Properties == nil {
		return 0
	}
	tags := rd.Properties.Tags
	if cwe, ok := rd.Properties.Properties["cwe"]; ok {
		tags = append(tags, fmt.Sprint(cwe))
	}
	for _, t := range tags {
		if m := cweTag.FindStringSubmatch(t); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

// fix is the rule's help, or where to read about it.
func (r *sarifRun) fix(ruleID string, rd *sarif.ReportingDescriptor) string {
	if rd != nil {
		for _, s := range []*sarif.MultiformatMessageString{rd.Help, rd.FullDescription} {
			if s != nil && s.Text != nil {
				if text := withoutHeadings(*s.Text); text != "" {
					return truncate(redactTokens(text), maxSARIFFix)
				}
			}
		}
	}
	where := ""
	if rd != nil && rd.HelpURI != nil {
		where = " (" + truncate(*rd.HelpURI, 200) + ")"
	}
	return fmt.Sprintf("Read %s's explanation of rule %s%s and change the code as it suggests. If it does not apply, add the comment `runway:allow %s/%s -- why` on the line above.",
		r.tool, truncate(ruleID, 120), where, r.tool, truncate(ruleID, 120))
}

// tokenLike matches long runs of letters and digits that may be keys or
// tokens a tool quoted in its message.
var tokenLike = regexp.MustCompile(`[A-Za-z0-9+/_=-]{24,}`)

// redactTokens hides token-like words: a message from another tool may
// quote a secret, and no secret value may reach a report.
func redactTokens(s string) string {
	return tokenLike.ReplaceAllStringFunc(s, func(w string) string {
		if strings.ContainsAny(w, "0123456789") && strings.IndexFunc(w, isLetter) >= 0 {
			return "[redacted]"
		}
		return w
	})
}

func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// withoutHeadings drops Markdown headings from a rule's help and collapses
// its whitespace.
func withoutHeadings(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			keep = append(keep, line)
		}
	}
	return strings.Join(strings.Fields(strings.Join(keep, " ")), " ")
}

package report

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/runwayhq/runway"
)

// ANSI SGR sequences.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// palette paints terminal text with ANSI colours when on, and leaves it
// alone otherwise, so that no escape code ever reaches a file or a log.
type palette struct{ on bool }

// painted is text that is safe to print: cleaned, then coloured by a
// palette. Printers clean every plain string but pass painted ones through.
type painted string

// paint cleans s and wraps it in the given SGR sequences.
func (p palette) paint(s string, codes ...string) painted {
	s = clean(s)
	if !p.on || s == "" {
		return painted(s)
	}
	var pre string
	for _, c := range codes {
		pre += c
	}
	return painted(pre + s + ansiReset)
}

// bold paints a heading.
func (p palette) bold(s string) painted { return p.paint(s, ansiBold) }

// symbol returns the check status as one coloured character: pass ✔,
// fail ✖, warn ⚠, skipped –, error !.
func (p palette) symbol(s runway.CheckStatus) painted {
	switch s {
	case runway.StatusPass:
		return p.paint("✔", ansiGreen)
	case runway.StatusFail:
		return p.paint("✖", ansiRed)
	case runway.StatusWarn:
		return p.paint("⚠", ansiYellow)
	case runway.StatusSkipped:
		return p.paint("–", ansiDim)
	case runway.StatusError:
		return p.paint("!", ansiRed, ansiBold)
	default:
		return "?"
	}
}

// severity returns the severity word, coloured by how bad it is.
func (p palette) severity(s runway.Severity) painted {
	switch s {
	case runway.SeverityCritical:
		return p.paint(string(s), ansiRed, ansiBold)
	case runway.SeverityHigh:
		return p.paint(string(s), ansiRed)
	case runway.SeverityMedium:
		return p.paint(string(s), ansiYellow)
	case runway.SeverityLow:
		return p.paint(string(s), ansiCyan)
	default:
		return p.paint(string(s), ansiDim)
	}
}

// decision paints the decision line: green for ready, yellow for approval,
// red for blocked.
func (p palette) decision(d runway.Decision, line string) painted {
	switch d {
	case runway.DecisionPass:
		return p.paint(line, ansiGreen, ansiBold)
	case runway.DecisionNeedsApproval:
		return p.paint(line, ansiYellow, ansiBold)
	default:
		return p.paint(line, ansiRed, ansiBold)
	}
}

// terminalEscape matches ANSI escape sequences: CSI (colours, cursor
// moves), OSC (titles, links) and two-character escapes.
var terminalEscape = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.?)`)

// clean makes report text safe for a terminal: a check's output may carry
// colours or control characters that would repaint or garble the screen.
// It removes escape sequences and carriage returns and shows any other
// control character except newline and tab as U+FFFD.
func clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) < 0 {
		return s
	}
	s = terminalEscape.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return -1
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			return r
		default:
			return '\uFFFD'
		}
	}, s)
}

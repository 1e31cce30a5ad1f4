package report

import (
	"strings"
)

// mdSpecial are the characters that can start Markdown syntax inside a
// line. Escaping them with a backslash renders them as themselves.
const mdSpecial = "\\*_[]<>|~&"

// mdInline escapes s as one line of Markdown prose. Code spans written by
// the checks (`npm test`) stay code; everything else renders literally,
// including a stray backtick. Mentions (@name) are broken with a zero-width
// space so a comment never notifies people or teams named in output. In a
// table cell (cell true) pipes are escaped inside code spans too, as GitHub
// Flavored Markdown requires.
func mdInline(s string, cell bool) string {
	s = oneLine(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`':
			n := backtickRun(s, i)
			if end := closingRun(s, i+n, n); end >= 0 {
				span := s[i : end+n]
				if cell {
					span = strings.ReplaceAll(span, "|", `\|`)
				}
				b.WriteString(span)
				i = end + n
				continue
			}
			b.WriteString(strings.Repeat("\\`", n))
			i += n
			continue
		case c == '@':
			b.WriteString("@&#8203;")
		case c == '_' && i > 0 && i+1 < len(s) && isAlnum(rune(s[i-1])) && isAlnum(rune(s[i+1])):
			b.WriteByte(c) // snake_case never starts emphasis
		case strings.IndexByte(mdSpecial, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// mdBlock is mdInline for text that starts a line (a paragraph, a list
// item's content), where it must not start a heading or a list.
func mdBlock(s string) string { return escapeStart(mdInline(s, false)) }

// escapeStart escapes what would start a block at the beginning of a line:
// a heading, a list item or a thematic break.
func escapeStart(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte("#+-=", s[0]) >= 0 {
		return `\` + s
	}
	digits := 0
	for digits < len(s) && digits < 9 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits < len(s) && (s[digits] == '.' || s[digits] == ')') {
		return s[:digits] + `\` + s[digits:]
	}
	return s
}

// mdCode returns s as a code span, with a fence longer than any backtick
// run inside it. In a table cell pipes are escaped.
func mdCode(s string, cell bool) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestBacktickRun(s)+1)
	pad := ""
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		pad = " "
	}
	if cell {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + pad + s + pad + fence
}

// mdFence returns text as a fenced code block whose fence is longer than
// any backtick run in text, each line prefixed with indent (to sit inside a
// list item).
func mdFence(text, indent string) string {
	fence := strings.Repeat("`", max(3, longestBacktickRun(text)+1))
	lines := []string{indent + fence}
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, strings.TrimRight(indent+l, " \t"))
	}
	return strings.Join(append(lines, indent+fence), "\n")
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// backtickRun returns the length of the run of backticks starting at i.
func backtickRun(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// closingRun returns where a run of exactly n backticks starts at or after
// from, or -1.
func closingRun(s string, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := backtickRun(s, i)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

func longestBacktickRun(s string) int {
	longest := 0
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		n := backtickRun(s, i)
		longest = max(longest, n)
		i += n
	}
	return longest
}

// GitHub's workflow-command escaping, exactly as @actions/core does it
// (escapeData and escapeProperty in its command.ts).
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes the message of a workflow command.
func escapeData(s string) string { return ghData.Replace(s) }

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string { return ghProperty.Replace(s) }

package ui

import (
	"regexp"
	"strings"
)

// The runbook is Markdown. Pages show it through a small reader of the
// subset Runway writes (headings, paragraphs, bullet lists, fenced code,
// inline code, bold, links, backslash escapes) into blocks that the
// "markdown" template renders: html/template escapes every text and
// checks every link, and no HTML in the text is ever passed through.
// Anything outside the subset shows as the text it is.

// mdBlock is one block of a Markdown document.
type mdBlock struct {
	// Kind is "heading", "p", "list", "code" or "rule".
	Kind string
	// Level is a heading's level (1 to 3).
	Level int
	// Spans are a heading's or paragraph's text; Items a list's items.
	Spans []mdSpan
	Items [][]mdSpan
	// Code is a code block's text.
	Code string
}

// mdSpan is a run of inline text.
type mdSpan struct {
	// Kind is "text", "code", "strong" or "link".
	Kind string
	Text string
	Href string // a link's target: http(s) or a path on this server
}

var (
	fenceRE   = regexp.MustCompile("^(`{3,})[A-Za-z0-9_-]*\\s*$")
	headingRE = regexp.MustCompile(`^(#{1,3}) +(.*)$`)
	autoRE    = regexp.MustCompile(`^<(https?://[^\s<>]+)>`)
)

// markdown reads a document into blocks.
func markdown(doc string) []mdBlock {
	var out []mdBlock
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, mdBlock{Kind: "p", Spans: inline(strings.Join(para, " "))})
			para = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if m := fenceRE.FindStringSubmatch(trimmed); m != nil {
			flush()
			var code []string
			for i++; i < len(lines) && !closes(lines[i], len(m[1])); i++ {
				code = append(code, lines[i])
			}
			out = append(out, mdBlock{Kind: "code", Code: strings.Join(code, "\n")})
			continue
		}
		switch m := headingRE.FindStringSubmatch(line); {
		case trimmed == "":
			flush()
		case m != nil:
			flush()
			out = append(out, mdBlock{Kind: "heading", Level: len(m[1]), Spans: inline(m[2])})
		case trimmed == "---":
			flush()
			out = append(out, mdBlock{Kind: "rule"})
		case strings.HasPrefix(line, "- "):
			flush()
			if n := len(out); n > 0 && out[n-1].Kind == "list" && i > 0 && strings.HasPrefix(lines[i-1], "- ") {
				out[n-1].Items = append(out[n-1].Items, inline(line[2:]))
			} else {
				out = append(out, mdBlock{Kind: "list", Items: [][]mdSpan{inline(line[2:])}})
			}
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// closes reports whether line closes a fence of n backticks.
func closes(line string, n int) bool {
	t := strings.TrimSpace(line)
	return len(t) >= n && strings.Trim(t, "`") == ""
}

// inline reads a line's spans.
func inline(s string) []mdSpan {
	var out []mdSpan
	var text strings.Builder
	add := func(sp mdSpan) {
		if text.Len() > 0 {
			out = append(out, mdSpan{Kind: "text", Text: text.String()})
			text.Reset()
		}
		out = append(out, sp)
	}
	for i := 0; i < len(s); {
		rest := s[i:]
		switch {
		case rest[0] == '\\' && len(rest) > 1 && isPunct(rest[1]):
			text.WriteByte(rest[1])
			i += 2
		case rest[0] == '`':
			n := run(rest, '`')
			if end := closingRun(rest[n:], n); end >= 0 {
				code := rest[n : n+end]
				if len(code) > 1 && code[0] == ' ' && code[len(code)-1] == ' ' {
					code = code[1 : len(code)-1]
				}
				add(mdSpan{Kind: "code", Text: code})
				i += n + end + n
			} else {
				text.WriteString(rest[:n])
				i += n
			}
		case strings.HasPrefix(rest, "**"):
			if end := strings.Index(rest[2:], "**"); end > 0 {
				add(mdSpan{Kind: "strong", Text: unescape(rest[2 : 2+end])})
				i += end + 4
			} else {
				text.WriteString("**")
				i += 2
			}
		case rest[0] == '[':
			if label, href, n, ok := mdLink(rest); ok {
				add(mdSpan{Kind: "link", Text: label, Href: href})
				i += n
			} else {
				text.WriteByte('[')
				i++
			}
		case rest[0] == '<' && autoRE.MatchString(rest):
			m := autoRE.FindStringSubmatch(rest)
			add(mdSpan{Kind: "link", Text: m[1], Href: m[1]})
			i += len(m[0])
		default:
			text.WriteByte(rest[0])
			i++
		}
	}
	if text.Len() > 0 {
		out = append(out, mdSpan{Kind: "text", Text: text.String()})
	}
	return out
}

// mdLink reads "[label](href)" at the start of s; only http(s) links and
// paths on this server count.
func mdLink(s string) (label, href string, n int, ok bool) {
	end := -1
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ']' {
			end = i
			break
		}
	}
	if end < 0 || !strings.HasPrefix(s[end+1:], "(") {
		return "", "", 0, false
	}
	close := strings.IndexByte(s[end+2:], ')')
	if close < 0 {
		return "", "", 0, false
	}
	href = s[end+2 : end+2+close]
	if !safeHref(href) {
		return "", "", 0, false
	}
	return unescape(s[1:end]), href, end + 3 + close, true
}

// safeHref reports whether a link may be followed: http(s), or a path on
// this server (not "//host", which leaves it).
func safeHref(h string) bool {
	if strings.ContainsAny(h, " \t\n<>\"'`") {
		return false
	}
	return strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "http://") ||
		(strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//") && !strings.HasPrefix(h, "/\\"))
}

// run counts the c at the start of s.
func run(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// closingRun finds a run of exactly n backticks in s.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := run(s[i:], '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

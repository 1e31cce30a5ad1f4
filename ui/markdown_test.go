package ui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// renderMarkdown renders doc as the deployment page does.
func renderMarkdown(t testing.TB, doc string) string {
	t.Helper()
	p, err := parsePages(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.sets["deployment"].ExecuteTemplate(&buf, "markdown", markdown(doc)); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

func TestMarkdown(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"headings", "# One\n## Two\n### Three", "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>"},
		{"paragraphs join their lines", "a\nb\n\nc", "<p>a b</p>\n<p>c</p>"},
		{"a list", "- a\n- b\n\n- c", "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n<ul>\n  <li>c</li>\n</ul>"},
		{"a code block keeps its lines", "```sh\nrunway status a\n  <b>\n```", "<pre><code>runway status a\n  &lt;b&gt;</code></pre>"},
		{"a longer fence holds a shorter one", "````\n```\nx\n```\n````", "<pre><code>```\nx\n```</code></pre>"},
		{"an unclosed fence runs to the end", "```\nx", "<pre><code>x</code></pre>"},
		{"inline code, bold", "run `a` and **b**", "<p>run <code>a</code> and <strong>b</strong></p>"},
		{"code with backticks", "``a ` b``", "<p><code>a ` b</code></p>"},
		{"escapes", `\*not bold\* \[x\](y) \<b\>`, "<p>*not bold* [x](y) &lt;b&gt;</p>"},
		{"a link", "[page](https://runway.example.com/deployments/3)", `<p><a href="https://runway.example.com/deployments/3">page</a></p>`},
		{"a path", "[app](/apps/wiki)", `<p><a href="/apps/wiki">app</a></p>`},
		{"an autolink", "<https://example.com/a>", `<p><a href="https://example.com/a">https://example.com/a</a></p>`},
		{"a script link is text", "[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"},
		{"another host's path is text", "[x](//evil.example/a)", "<p>[x](//evil.example/a)</p>"},
		{"HTML is text", "<script>alert(1)</script> <img src=x onerror=alert(1)>", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>"},
		{"a rule", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>"},
		{"unclosed markers are text", "**a `b [c", "<p>**a `b [c</p>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderMarkdown(t, tt.in); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)`)
	hrefRE = regexp.MustCompile(`href="([^"]*)"`)
	shown  = map[string]bool{"h3": true, "h4": true, "h5": true, "p": true, "ul": true, "li": true, "pre": true, "code": true, "strong": true, "a": true, "hr": true}
)

// FuzzMarkdown: whatever the document, the page holds only the subset's
// tags, links only to http(s) or this server, and no attribute but href.
func FuzzMarkdown(f *testing.F) {
	for _, seed := range []string{
		"# Runbook: a in production\n\n- Version: c3\n\n```sh\nrunway rollback a --env production --reason \"x\"\n```\n",
		"[Roll back now](https://runway.example.com/deployments/41) <https://x.example>",
		"<script>alert(1)</script>[x](javascript:alert(1))[y](/a\"onmouseover=alert(1))",
		"``a`` `b` ```c``` **d** \\*e\\* \\",
		"- a\n- **b `c` [d](/e)**\n---\n````\n```\n````",
	} {
		f.Add(seed)
	}
	p, err := parsePages(time.Now)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var buf bytes.Buffer
		if err := p.sets["deployment"].ExecuteTemplate(&buf, "markdown", markdown(doc)); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
			if !shown[m[2]] {
				t.Fatalf("the page holds a <%s%s> tag:\n%s", m[1], m[2], out)
			}
		}
		for _, m := range hrefRE.FindAllStringSubmatch(out, -1) {
			h := m[1]
			if !strings.HasPrefix(h, "https://") && !strings.HasPrefix(h, "http://") && !(strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//")) && h != "#ZgotmplZ" {
				t.Fatalf("a link to %q:\n%s", h, out)
			}
		}
		if strings.Contains(out, "<a ") && strings.Count(out, "<a ") != strings.Count(out, `<a href="`) {
			t.Fatalf("a link with another attribute:\n%s", out)
		}
	})
}

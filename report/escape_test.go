package report

import "testing"

func TestMarkdownInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		cell bool
		want string
	}{
		{"plain", "runway.yaml is valid.", false, "runway.yaml is valid."},
		{"code span kept", "Run `npm test` now", false, "Run `npm test` now"},
		{"longer code span kept", "Run ``a`b`` now", false, "Run ``a`b`` now"},
		{"stray backtick", "it's `odd", false, "it's \\`odd"},
		{"emphasis and links", "*a* _b_ [c](d) <e> ~~f~~", false, `\*a\* \_b\_ \[c\](d) \<e\> \~\~f\~\~`},
		{"snake_case kept", "SLACK_BOT_TOKEN and _x", false, `SLACK_BOT_TOKEN and \_x`},
		{"pipe in prose", "a | b", false, `a \| b`},
		{"pipe in a cell", "a | b", true, `a \| b`},
		{"pipe in a code span in a cell", "run `a | b`", true, "run `a \\| b`"},
		{"pipe in a code span outside a cell", "run `a | b`", false, "run `a | b`"},
		{"newlines become spaces", "a\r\nb\nc", false, "a b c"},
		{"mention broken", "ping @security-team", false, "ping @&#8203;security-team"},
		{"mention in code kept", "`npm i @babel/core`", false, "`npm i @babel/core`"},
		{"ampersand", "R&D", false, `R\&D`},
		{"version mid-line", "runway 0.4.0", false, "runway 0.4.0"},
	}
	for _, tt := range tests {
		if got := mdInline(tt.in, tt.cell); got != tt.want {
			t.Errorf("%s: mdInline(%q, %v) = %q, want %q", tt.name, tt.in, tt.cell, got, tt.want)
		}
	}
}

func TestMarkdownBlock(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"# not a heading": `\# not a heading`,
		"- not a list":    `\- not a list`,
		"+ not a list":    `\+ not a list`,
		"12. not a list":  `12\. not a list`,
		"3) not a list":   `3\) not a list`,
		"2025 was fine":   "2025 was fine",
		"":                "",
	}
	for in, want := range tests {
		if got := mdBlock(in); got != want {
			t.Errorf("mdBlock(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		cell bool
		want string
	}{
		{"runway.yaml:2:1", false, "`runway.yaml:2:1`"},
		{"a`b", false, "``a`b``"},
		{"`a`", false, "`` `a` ``"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"", true, ""},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in, tt.cell); got != tt.want {
			t.Errorf("mdCode(%q, %v) = %q, want %q", tt.in, tt.cell, got, tt.want)
		}
	}
}

func TestMarkdownFence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, indent, want string
	}{
		{"a\nb", "", "```\na\nb\n```"},
		{"x ``` y\n````", "   ", "   `````\n   x ``` y\n   ````\n   `````"},
		{"trailing  \n\nend", "  ", "  ```\n  trailing\n\n  end\n  ```"},
	}
	for _, tt := range tests {
		if got := mdFence(tt.in, tt.indent); got != tt.want {
			t.Errorf("mdFence(%q, %q) =\n%s\nwant\n%s", tt.in, tt.indent, got, tt.want)
		}
	}
}

// TestWorkflowEscaping follows @actions/core's escapeData and
// escapeProperty.
func TestWorkflowEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, data, property string
	}{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"%0A", "%250A", "%250A"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
		}
	}
}

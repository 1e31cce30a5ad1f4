package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runwayhq/runway"
)

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Format
		code string
	}{
		{"text", Text, ""},
		{"json", JSON, ""},
		{"markdown", Markdown, ""},
		{"sarif", SARIF, ""},
		{"github", GitHub, ""},
		{" SARIF ", SARIF, ""},
		{"md", "", runway.EINVALID},
		{"", "", runway.EINVALID},
		{"xml", "", runway.EINVALID},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.want || runway.ErrorCode(err) != tt.code {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q with code %q", tt.in, got, err, tt.want, tt.code)
		}
		if err != nil && !strings.Contains(runway.ErrorMessage(err), "text, json, markdown, sarif, github") {
			t.Errorf("ParseFormat(%q): message %q does not list the formats", tt.in, runway.ErrorMessage(err))
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	err := Write(&b, "xml", passing(), Options{})
	if runway.ErrorCode(err) != runway.EINVALID || b.Len() != 0 {
		t.Errorf("Write(xml) = %v and %d bytes; want EINVALID and nothing written", err, b.Len())
	}
}

func TestGroupFindings(t *testing.T) {
	t.Parallel()
	fs := []runway.Finding{
		{ID: "1", Kind: "license", Severity: runway.SeverityLow},
		{ID: "2", Kind: runway.KindPolicy, Severity: runway.SeverityLow},
		{ID: "3", Kind: runway.KindManifest, Severity: runway.SeverityLow},
		{ID: "4", Kind: runway.KindManifest, Severity: runway.SeverityCritical},
		{ID: "5", Kind: runway.KindSecret, Severity: runway.SeverityHigh},
		{ID: "6", Kind: runway.KindBuild, Severity: runway.SeverityHigh},
	}
	var got []string
	for _, g := range GroupByAction(fs) {
		var ids []string
		for _, f := range g.Findings {
			ids = append(ids, f.ID)
		}
		got = append(got, g.Title()+": "+strings.Join(ids, ","))
	}
	want := []string{
		"Correct runway.yaml (2 problems): 4,3",
		"Fix the build (1 problem): 6",
		"Rotate leaked keys (1 problem): 5",
		"Meet platform policy (1 problem): 2",
		"Other (1 problem): 1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestDecisionLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    runway.Report
		want string
	}{
		{runway.Report{Decision: runway.DecisionPass}, "Ready: nothing blocks this app."},
		{runway.Report{Decision: runway.DecisionNeedsApproval, ApprovalsRequired: []runway.Role{runway.RoleTeamLead}}, "Needs approval from: team-lead"},
		{runway.Report{Decision: runway.DecisionBlocked}, "Blocked: this app cannot be deployed until the problems below are fixed."},
	}
	for _, tt := range tests {
		if got := decisionLine(&tt.r); got != tt.want {
			t.Errorf("decisionLine(%s) = %q, want %q", tt.r.Decision, got, tt.want)
		}
	}
}

// TestTextWithoutColorHasNoEscapes feeds terminal escapes through every
// field a check controls: without colour, none may reach the output.
func TestTextWithoutColorHasNoEscapes(t *testing.T) {
	t.Parallel()
	r := blocked()
	evil := "\x1b[2J\x1b]0;pwned\x07red\x1b[31m\r"
	r.App += evil
	r.Checks[0].Summary += evil
	r.Findings[0].Title += evil
	r.Findings[2].Message += "\n" + evil
	r.Findings[0].Fix += evil
	var b bytes.Buffer
	if err := Write(&b, Text, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if i := strings.IndexAny(b.String(), "\x1b\r\x07"); i >= 0 {
		t.Errorf("control character in text output at %d: %q", i, b.String()[max(0, i-40):min(b.Len(), i+40)])
	}
}

func TestCodeQuality(t *testing.T) {
	t.Parallel()
	r := &runway.Report{Findings: []runway.Finding{
		{Title: "No line", Kind: runway.KindPolicy, Severity: runway.SeverityHigh},
		{ID: "b", Title: "Blocks.", Fix: "Do it.", File: "a.js", Line: 7, Rule: "r", Severity: runway.SeverityLow, Blocking: true},
		{ID: "c", Title: "Critical", File: "b.js", Line: -3, Severity: runway.SeverityCritical},
		{ID: "d", Title: "Medium", File: "b.js", Line: 2, Severity: runway.SeverityMedium},
		{ID: "e", Title: "Info", File: "b.js", Line: 2, Severity: runway.SeverityInfo},
	}}
	var b bytes.Buffer
	if err := writeCodeQuality(&b, r); err != nil {
		t.Fatal(err)
	}
	var got []codeQualityIssue
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []codeQualityIssue{
		{"No line", "policy", runway.FindingID("", "policy", "runway.yaml", "0", "No line"), "major", codeQualityLocation{"runway.yaml", codeQualityLines{1}}},
		{"Blocks. Fix: Do it.", "r", "b", "blocker", codeQualityLocation{"a.js", codeQualityLines{7}}},
		{"Critical", "runway", "c", "critical", codeQualityLocation{"b.js", codeQualityLines{1}}},
		{"Medium", "runway", "d", "minor", codeQualityLocation{"b.js", codeQualityLines{2}}},
		{"Info", "runway", "e", "info", codeQualityLocation{"b.js", codeQualityLines{2}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
}

func TestAnnotations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    runway.Finding
		want string
	}{
		{"blocking low is an error", runway.Finding{Title: "T", Severity: runway.SeverityLow, Blocking: true, Fix: "F"}, "::error title=T::Fix: F"},
		{"high is a warning", runway.Finding{File: "a.go", Line: 3, Title: "T", Severity: runway.SeverityHigh}, "::warning file=a.go,line=3,title=T::T"},
		{"medium is a warning", runway.Finding{Title: "T", Severity: runway.SeverityMedium}, "::warning title=T::T"},
		{"info is a notice", runway.Finding{Title: "T", Severity: runway.SeverityInfo}, "::notice title=T::T"},
		{"escaped", runway.Finding{File: "a,b:c.js", Line: 1, Column: 2, Title: "50%, a: b\r\nc", Message: "x%\r\ny: z, w", Severity: runway.SeverityCritical, Blocking: true},
			"::error file=a%2Cb%3Ac.js,line=1,col=2,title=50%25%2C a%3A b%0D%0Ac::x%25%0Ay: z, w"},
	}
	for _, tt := range tests {
		if got := annotationFor(tt.f).String(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

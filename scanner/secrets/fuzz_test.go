package secrets

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/zricethezav/gitleaks/v8/report"
)

// FuzzRedaction feeds arbitrary values and lines through what turns a
// gitleaks finding into a Runway finding. The hint shows at most maxHint
// leading characters of the value; the suggested name is a valid
// environment variable name that gives no 8-character piece of the value
// away, unless it is the rule's own default; the ID is 16 hex digits.
func FuzzRedaction(f *testing.F) {
	values := fakeValues()
	f.Add(uint16(0), "const slack = new WebClient(\""+values["SLACK_BOT_TOKEN"]+"\");", values["SLACK_BOT_TOKEN"])
	f.Add(uint16(1), "  \"password\": \""+values["DB_PASSWORD"]+"\",", values["DB_PASSWORD"])
	f.Add(uint16(2), "AKIAAKIAAKIAAKIA_KEY = AKIAAKIAAKIAAKIA", "AKIAAKIAAKIAAKIA")
	f.Add(uint16(3), "x", "")
	f.Add(uint16(4), "sk_live_ = sk_live_0123456789abcdef", "sk_live_0123456789abcdef")
	rules := ruleIDs(f)
	f.Fuzz(func(t *testing.T, ruleIndex uint16, line, value string) {
		rule := rules[int(ruleIndex)%len(rules)]
		if h := hint(value); h != "" {
			shown, ok := strings.CutSuffix(h, "…")
			if !ok || len(shown) > maxHint || !strings.HasPrefix(value, shown) {
				t.Fatalf("hint %q of %q shows more than a short prefix", h, value)
			}
		}
		name := secretName(rule, line, value)
		if !validName.MatchString(name) {
			t.Fatalf("secretName(%q) = %q, not an environment variable name", rule, name)
		}
		if name != secretName(rule, "", "") && overlaps(name, value) {
			t.Fatalf("secretName(%q, %q, %q) = %q gives part of the value away", rule, line, value, name)
		}
		l, ok := newLeak(report.Finding{RuleID: rule, Secret: value, Match: value, Line: line, File: "a.js", StartLine: 1}, "a.js")
		if !ok {
			return
		}
		fd := l.finding()
		if len(fd.ID) != 16 || strings.Trim(fd.ID, "0123456789abcdef") != "" || fd.Title == "" || fd.Fix == "" {
			t.Fatalf("bad finding: %+v", fd)
		}
	})
}

// ruleIDs are gitleaks' default rule IDs, sorted.
func ruleIDs(t testing.TB) []string {
	var ids []string
	for id := range mustRules(t).Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// FuzzParseFileList: whatever git prints, every path kept is relative and
// stays inside the folder.
func FuzzParseFileList(f *testing.F) {
	f.Add([]byte("dist/forced.js\x00config/.env\x00"))
	f.Add([]byte("../outside\x00/etc/passwd\x00a\\b\x00\x00"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for _, p := range parseFileList(out) {
			if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\x00") || slices.Contains(strings.Split(p, "/"), "..") {
				t.Fatalf("kept %q", p)
			}
		}
	})
}

// FuzzParseRevParse: a prefix is accepted only when it is empty or a
// relative folder ending in a slash.
func FuzzParseRevParse(f *testing.F) {
	f.Add([]byte("\nfalse\n"))
	f.Add([]byte("apps/expense/\ntrue\n"))
	f.Add([]byte("../x/\nfalse\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		prefix, _, err := parseRevParse(out)
		if err != nil {
			return
		}
		if prefix != "" && (!strings.HasSuffix(prefix, "/") || strings.HasPrefix(prefix, "/") || slices.Contains(strings.Split(prefix, "/"), "..")) {
			t.Fatalf("accepted prefix %q", prefix)
		}
	})
}

// FuzzParseGitFile: a .git file yields a path only from a "gitdir:" line,
// and the path is one line without NUL.
func FuzzParseGitFile(f *testing.F) {
	f.Add([]byte("gitdir: /repo/.git/worktrees/wt\n"))
	f.Add([]byte("gitdir: ../.git/modules/sub\r\n"))
	f.Add([]byte("gitdir:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseGitFile(data)
		if err != nil {
			return
		}
		if p == "" || strings.ContainsAny(p, "\x00\n") || !strings.HasPrefix(string(data), "gitdir:") {
			t.Fatalf("parseGitFile(%q) = %q", data, p)
		}
	})
}

// FuzzParseIgnore: any .gitignore content parses, and matching paths
// against it never panics.
func FuzzParseIgnore(f *testing.F) {
	f.Add([]byte("\xef\xbb\xbf# comment\r\n*.log\n!keep.log\nsecrets/\n/only-here.js\n**/tmp/**\n"))
	f.Add([]byte("[\n\\\n***\n!\n/\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := gitignore.NewMatcher(parseIgnore(data, []string{"app"}))
		for _, p := range [][]string{{"app", "a.log"}, {"app", "secrets"}, {"app", "x", "tmp", "y.js"}, {"other", "a.log"}} {
			m.Match(p, false)
			m.Match(p, true)
		}
	})
}

package secrets

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/runwayhq/runway"
)

// leak is a gitleaks finding reduced to what may be shown: building it
// reads the value to fingerprint it, test it for a placeholder and pick a
// hint, and keeps none of it.
type leak struct {
	rule        string
	description string
	file        string // relative to the app's folder, forward slashes
	line        int
	column      int
	// commit is the full hash of the commit that added the value, for a
	// leak found in the history; "" in the working tree.
	commit string
	date   string // the commit's author date, RFC 3339
	// fingerprint is the start of the value's SHA-256, in hex.
	fingerprint string
	hint        string // leading characters of a known token format, or ""
	name        string // the secret-store name to suggest
	severity    runway.Severity
	pathOnly    bool  // the file itself is the secret (a .p12 file)
	alsoOn      []int // other lines holding the same value
}

// newLeak reduces f, found in file. ok is false for a placeholder.
func newLeak(f report.Finding, file string) (l leak, ok bool) {
	pathOnly := f.Secret == "" && strings.HasPrefix(f.Match, "file detected")
	if !pathOnly && isPlaceholder(f.Secret) {
		return leak{}, false
	}
	sum := sha256.Sum256([]byte(f.Secret))
	return leak{
		rule:        f.RuleID,
		description: f.Description,
		file:        file,
		line:        f.StartLine,
		column:      column(f),
		commit:      f.Commit,
		date:        f.Date,
		fingerprint: hex.EncodeToString(sum[:])[:16],
		hint:        hint(f.Secret),
		name:        secretName(f.RuleID, f.Line, f.Secret),
		severity:    severity(f.RuleID, f.Secret),
		pathOnly:    pathOnly,
	}, true
}

// id is the finding's stable fingerprint: the rule, the file and a digest
// of the value, so that moving unrelated lines does not change it, and the
// same value in the working tree and in the history shares it.
func (l leak) id() string { return runway.FindingID(l.rule, l.file, l.fingerprint) }

// column is where the match starts on its line, counted from 1. gitleaks'
// own column is one too far on every line of a fragment but the first.
func column(f report.Finding) int {
	line := strings.TrimPrefix(f.Line, "\n")
	if i := strings.Index(line, f.Match); f.Match != "" && i >= 0 {
		return i + 1
	}
	return f.StartColumn
}

// maxHint is the most characters a hint shows: a token format's public
// prefix, cut short of anything that could narrow a guess.
const maxHint = 7

// tokenPrefixes are the public prefixes of well-known token formats,
// longest first so that the most specific wins.
var tokenPrefixes = []string{
	"github_pat_", "lin_api_", "xkeysib-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "sk-proj-", "dop_v1_",
	"doo_v1_", "dor_v1_", "sk-ant-", "shpat_", "shpss_", "shpca_", "shppa_", "glpat-", "pypi-", "xoxb-", "xoxp-",
	"xoxa-", "xoxe-", "xoxr-", "xoxs-", "xapp-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_", "AKIA", "ASIA",
	"ABIA", "ACCA", "AIza", "hf_", "SG.", "eyJ", "sk-",
}

// hint returns the leading characters of a value in a known token format,
// followed by an ellipsis, or "" when showing any would not help.
func hint(value string) string {
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(value, p) && len(value) >= len(p)+16 {
			return p[:min(len(p), maxHint)] + "…"
		}
	}
	return ""
}

// finding is the leak as people read it.
func (l leak) finding() runway.Finding {
	return runway.Finding{
		ID:       l.id(),
		Kind:     runway.KindSecret,
		Severity: l.severity,
		Title:    l.title(),
		Message:  l.message(),
		File:     l.file,
		Line:     l.line,
		Column:   l.column,
		Rule:     l.rule,
		Fix:      l.fix(),
		Blocking: true,
	}
}

func (l leak) title() string {
	what := capitalize(withArticle(kind(l.rule)))
	switch {
	case l.commit != "":
		return what + " is in the git history"
	case l.pathOnly:
		return what + " is among the app's files"
	}
	return what + " is written in the code"
}

func (l leak) message() string {
	what := withArticle(kind(l.rule))
	shown := "its value is hidden here"
	if l.hint != "" {
		shown = fmt.Sprintf("it starts with `%s`; the rest is hidden here", l.hint)
	}
	var b strings.Builder
	switch {
	case l.commit != "":
		fmt.Fprintf(&b, "Commit %s added what looks like %s to line %d of `%s` (%s). ", short(l.commit), what, l.line, l.file, shown)
		b.WriteString("The file no longer has it, but the git history keeps it: anyone with a copy of the repository can still read it and use it.")
	case l.pathOnly:
		fmt.Fprintf(&b, "`%s` looks like %s. Anyone who can read the app's files, or a copy of them, can use it.", l.file, what)
	default:
		fmt.Fprintf(&b, "Line %d of `%s` holds what looks like %s (%s). Anyone who can read the code, or a copy of it, can use it.", l.line, l.file, what, shown)
		if len(l.alsoOn) > 0 {
			fmt.Fprintf(&b, " The same value is also on %s %s.", plural(len(l.alsoOn), "line", "lines"), joinLines(l.alsoOn))
		}
	}
	fmt.Fprintf(&b, " (gitleaks rule `%s`: %s)", l.rule, strings.TrimSpace(l.description))
	return b.String()
}

func (l leak) fix() string {
	var b strings.Builder
	b.WriteString(l.replaceStep())
	if l.commit != "" {
		b.WriteString("2. Remove it from the git history: a new commit that deletes it is not enough, because the old commit still holds it. " +
			"Ask your platform team to help rewrite the history (for example with git filter-repo); everyone then clones the repository again. ")
	} else {
		fmt.Fprintf(&b, "2. Delete it from `%s`, and from the git history if it was ever committed (your platform team can help, for example with git filter-repo). ", l.file)
	}
	fmt.Fprintf(&b, "3. Store the new value in the platform's secret store as %s and name it in %s, under the integration that uses it (`secret: %s`); "+
		"the app then reads it from the environment variable %s when it runs.", l.name, runway.ManifestFile, l.name, l.name)
	return b.String()
}

// replaceStep is the first step of the fix: make the leaked value useless.
func (l leak) replaceStep() string {
	const stolen = "treat the old one as stolen, even if the repository is private. "
	k := kind(l.rule)
	switch brand, _ := service(l.rule); {
	case l.rule == "private-key" || l.rule == "pkcs12-file":
		return fmt.Sprintf("1. Replace this %s now: create a new one, trust it wherever the old one was trusted, and remove the old one from there; %s", k, stolen)
	case brand == "":
		return fmt.Sprintf("1. Change this %s now, wherever it is used, so that the old value stops working; %s", k, stolen)
	default:
		return fmt.Sprintf("1. Cancel (revoke) this %s now, in %s, and create a new one; %s", k, brand, stolen)
	}
}

// short is a commit's abbreviated hash.
func short(commit string) string { return commit[:min(7, len(commit))] }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinLines writes line numbers as "3", "3 and 7" or "3, 7 and 9".
func joinLines(lines []int) string {
	s := make([]string, len(lines))
	for i, n := range lines {
		s[i] = fmt.Sprint(n)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// merge folds leaks of the same value in the same file into one: the
// working tree keeps the first line and lists the others; the history keeps
// the earliest commit that added it. The result is sorted by file, line
// and rule, so that runs agree.
func merge(leaks []leak) []leak {
	slices.SortFunc(leaks, func(a, b leak) int {
		return cmp.Or(cmp.Compare(a.id(), b.id()), cmp.Compare(a.date, b.date), cmp.Compare(a.commit, b.commit),
			cmp.Compare(a.line, b.line), cmp.Compare(a.column, b.column))
	})
	var out []leak
	for _, l := range leaks {
		last := len(out) - 1
		if last < 0 || out[last].id() != l.id() {
			out = append(out, l)
			continue
		}
		if l.commit == "" && l.line != out[last].line && !slices.Contains(out[last].alsoOn, l.line) {
			out[last].alsoOn = append(out[last].alsoOn, l.line)
		}
	}
	slices.SortFunc(out, func(a, b leak) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line), cmp.Compare(a.rule, b.rule), cmp.Compare(a.id(), b.id()))
	})
	return out
}

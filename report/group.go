package report

import (
	"cmp"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// ActionGroup is the findings that share one action a person takes, such
// as "Correct runway.yaml" or "Rotate leaked keys".
type ActionGroup struct {
	Action   string
	Findings []runway.Finding
	// unit counts the findings: "problem", or "package" once the
	// vulnerabilities of each package are merged into one item.
	unit string
}

// Title reads like "Correct runway.yaml (3 problems)".
func (g ActionGroup) Title() string {
	return fmt.Sprintf("%s (%s)", g.Action, plural(len(g.Findings), cmp.Or(g.unit, "problem")))
}

// actions maps each kind of finding to what a person does about it, in the
// order the groups are shown: the manifest first, since nothing else runs
// well without it, and policy last, since it often depends on the rest.
var actions = []struct {
	kind   runway.FindingKind
	action string
}{
	{runway.KindManifest, "Correct runway.yaml"},
	{runway.KindBuild, "Fix the build"},
	{runway.KindLint, "Fix lint problems"},
	{runway.KindTest, "Fix failing tests"},
	{runway.KindSecret, "Rotate leaked keys"},
	{runway.KindVulnerability, "Upgrade packages"},
	{runway.KindSAST, "Change risky code"},
	{runway.KindPolicy, "Meet platform policy"},
}

// otherAction groups the kinds the list above does not know.
const otherAction = "Other"

// actionOf returns the action title for a kind, or otherAction.
func actionOf(k runway.FindingKind) string {
	for _, a := range actions {
		if a.kind == k {
			return a.action
		}
	}
	return otherAction
}

// GroupByAction splits findings by action, in the order of actions with
// "Other" last, skipping empty groups. Within a group the most severe come
// first; otherwise the given order is kept.
func GroupByAction(fs []runway.Finding) []ActionGroup {
	byAction := map[string][]runway.Finding{}
	for _, f := range fs {
		a := actionOf(f.Kind)
		byAction[a] = append(byAction[a], f)
	}
	var out []ActionGroup
	for _, a := range actions {
		fs := byAction[a.action]
		switch {
		case len(fs) == 0:
		case a.kind == runway.KindVulnerability:
			out = append(out, ActionGroup{Action: a.action, Findings: bySeverity(perPackage(fs)), unit: "package"})
		default:
			out = append(out, ActionGroup{Action: a.action, Findings: bySeverity(fs)})
		}
	}
	if others := byAction[otherAction]; len(others) > 0 {
		out = append(out, ActionGroup{Action: otherAction, Findings: bySeverity(others)})
	}
	return out
}

// bySeverity returns fs sorted most severe first, stable otherwise.
func bySeverity(fs []runway.Finding) []runway.Finding {
	out := append([]runway.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() < out[j].Severity.Rank() })
	return out
}

// split returns the blocking and the other findings of r, each sorted most
// severe first; the other findings have the vulnerabilities of each
// package merged, as in the action groups.
func split(r *runway.Report) (blocking, other []runway.Finding) {
	for _, f := range r.Findings {
		if f.Blocking {
			blocking = append(blocking, f)
		} else {
			other = append(other, f)
		}
	}
	return bySeverity(blocking), bySeverity(perPackage(other))
}

// decisionLine says the decision in plain words.
func decisionLine(r *runway.Report) string {
	switch r.Decision {
	case runway.DecisionPass:
		return "Ready: nothing blocks this app."
	case runway.DecisionNeedsApproval:
		if len(r.ApprovalsRequired) == 0 {
			return "Needs approval before it can be deployed."
		}
		return "Needs approval from: " + roles(r.ApprovalsRequired)
	case runway.DecisionBlocked:
		return "Blocked: this app cannot be deployed until the problems below are fixed."
	default:
		return fmt.Sprintf("No decision (%q): treat this app as blocked and run `runway check` again.", r.Decision)
	}
}

func roles(rs []runway.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// tierLine says the tier, what it means and the risk behind it, such as
// "Tier 3 (org-facing or sensitive) · risk high (you declared medium)".
func tierLine(r *runway.Report) string {
	meaning := map[runway.Tier]string{1: "personal or demo", 2: "team use", 3: "org-facing or sensitive"}[r.Tier]
	tier := "Tier unknown"
	if meaning != "" {
		tier = fmt.Sprintf("Tier %d (%s)", r.Tier, meaning)
	}
	return tier + " · " + riskWords(r.Risk)
}

func riskWords(k runway.Risk) string {
	switch {
	case k.Effective == "":
		return "risk unknown"
	case k.Declared == "":
		return fmt.Sprintf("risk %s (none declared)", k.Effective)
	case k.Declared == k.Effective:
		return fmt.Sprintf("risk %s", k.Effective)
	default:
		return fmt.Sprintf("risk %s (you declared %s)", k.Effective, k.Declared)
	}
}

// where returns "file:line:column", shortened when parts are missing, or ""
// without a file.
func where(f runway.Finding) string {
	switch {
	case f.File == "":
		return ""
	case f.Line <= 0:
		return f.File
	case f.Column <= 0:
		return f.File + ":" + strconv.Itoa(f.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
	}
}

// shownWhere is where for people. The app's own build, lint and test
// commands report their failure against runway.yaml, where the command is
// declared; naming that file would suggest the mistake is in it, so it is
// left out.
func shownWhere(f runway.Finding) string {
	command := f.Kind == runway.KindBuild || f.Kind == runway.KindLint || f.Kind == runway.KindTest
	if command && f.File == runway.ManifestFile && f.Line <= 0 {
		return ""
	}
	return where(f)
}

// details returns the finding's message when it adds something to the
// title: checks often repeat the title in the message.
func details(f runway.Finding) string {
	m := strings.TrimRight(strings.ReplaceAll(f.Message, "\r\n", "\n"), "\n ")
	if strings.TrimSpace(m) == "" || strings.Contains(f.Title, strings.TrimSpace(m)) {
		return ""
	}
	return m
}

// packageLine describes a vulnerable package and its advisory, or "".
func packageLine(f runway.Finding) string {
	var parts []string
	if p := f.Package; p != nil {
		s := fmt.Sprintf("%s %s (%s)", p.Name, p.Version, p.Ecosystem)
		if p.Fixed != "" {
			s += ", fixed in " + p.Fixed
		}
		parts = append(parts, s)
	}
	if a := f.Advisory; a != nil && a.ID != "" {
		s := "advisory " + a.ID
		if len(a.Aliases) > 0 {
			s += " (" + strings.Join(a.Aliases, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// duration formats milliseconds as "0.4s", "12.3s" or "2m05s".
func duration(ms int64) string {
	if ms < 60_000 {
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	s := (ms + 500) / 1000
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// counts summarises the checks, such as "3 passed, 1 failed, 1 skipped".
func counts(checks []runway.CheckResult) string {
	words := []struct {
		status runway.CheckStatus
		word   string
	}{
		{runway.StatusPass, "passed"}, {runway.StatusFail, "failed"}, {runway.StatusError, "could not run"},
		{runway.StatusWarn, "with warnings"}, {runway.StatusSkipped, "skipped"},
	}
	var parts []string
	for _, w := range words {
		n := 0
		for _, c := range checks {
			if c.Status == w.status {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, w.word))
		}
	}
	return strings.Join(parts, ", ")
}

// unexplainedAction is the group of checks that did not pass without a
// finding to say why: they crashed, timed out or could not start.
const unexplainedAction = "Fix checks that did not pass"

// unexplained returns the checks that failed or could not run and have no
// blocking finding to explain it, so that a blocked report always says why.
func unexplained(r *runway.Report) []runway.CheckResult {
	explained := map[string]bool{}
	for _, f := range r.Findings {
		if f.Blocking {
			explained[f.Check] = true
		}
	}
	var out []runway.CheckResult
	for _, c := range r.Checks {
		if (c.Status == runway.StatusFail || c.Status == runway.StatusError) && !explained[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

// perPackage merges the vulnerability findings of each package version into
// one item, since one upgrade fixes them together: a person upgrades
// packages, not advisories. Other findings stay as they are.
func perPackage(fs []runway.Finding) []runway.Finding {
	type key struct{ eco, name, version string }
	index := map[key]int{}
	var out []runway.Finding
	var advisories [][]runway.Finding
	for _, f := range fs {
		if f.Package == nil || f.Kind != runway.KindVulnerability {
			out = append(out, f)
			advisories = append(advisories, nil)
			continue
		}
		k := key{f.Package.Ecosystem, f.Package.Name, f.Package.Version}
		i, seen := index[k]
		if !seen {
			i = len(out)
			index[k] = i
			out = append(out, f)
			advisories = append(advisories, nil)
		}
		advisories[i] = append(advisories[i], f)
	}
	for i, list := range advisories {
		if len(list) > 1 {
			out[i] = mergeAdvisories(list)
		}
	}
	return out
}

// mergeAdvisories makes one item of several advisories on one package: the
// most severe sets the severity, each advisory gets a line, and the fix is
// the one that fixes them all (each finding's fix already names the
// smallest upgrade covering every advisory of its package).
func mergeAdvisories(list []runway.Finding) runway.Finding {
	list = bySeverity(list)
	m := list[0]
	p := m.Package
	m.Title = fmt.Sprintf("%s %s has %d known vulnerabilities", p.Name, p.Version, len(list))
	lines := make([]string, len(list))
	for i, f := range list {
		id := f.Rule
		if f.Advisory != nil && f.Advisory.ID != "" {
			id = f.Advisory.ID
			if len(f.Advisory.Aliases) > 0 {
				id += " (" + strings.Join(f.Advisory.Aliases, ", ") + ")"
			}
		}
		lines[i] = fmt.Sprintf("- %s, %s: %s", id, f.Severity, advisoryTitle(f))
	}
	m.Message = strings.Join(lines, "\n")
	m.Advisory = nil
	m.Package = &runway.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version}
	return m
}

// advisoryTitle is what the advisory says is wrong, without the package
// name and version the merged item already shows.
func advisoryTitle(f runway.Finding) string {
	if _, after, ok := strings.Cut(f.Title, "known vulnerability: "); ok {
		return after
	}
	return f.Title
}

package report

import (
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/runwayhq/runway"
)

// SARIF constants Runway relies on.
const (
	sarifTool        = "runway"
	sarifSrcRoot     = "%SRCROOT%"
	sarifFingerprint = "runwayFindingId/v1"
)

// writeSARIF writes r as a SARIF 2.1.0 log with one run, for GitHub code
// scanning and other SARIF viewers. Rules are sorted by id so that the
// output only changes when the findings do.
func writeSARIF(w io.Writer, r *runway.Report) error {
	run := sarif.NewRun()
	run.Tool = sarif.NewTool()
	run.Tool.Driver = sarif.NewToolComponent()
	run.Tool.Driver.Name = ptr(sarifTool)
	if r.RunwayVersion != "" {
		run.Tool.Driver.Version = ptr(r.RunwayVersion)
	}
	rules := sarifRules(r.Findings)
	for _, rl := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rl.descriptor())
	}
	for _, f := range r.Findings {
		run.AddResult(sarifResult(f, rules[ruleIndex(rules, ruleID(f))]))
	}
	log := sarif.NewReport()
	log.AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// sarifRule is what the findings of one rule have in common.
type sarifRule struct {
	ID, Kind, Title, Fix string
	// index is the rule's position in the run's rules.
	index int
	// fixVaries is true when the rule's findings have different fixes; each
	// result then carries its own.
	fixVaries bool
}

func (rl sarifRule) descriptor() *sarif.ReportingDescriptor {
	d := sarif.NewRule(rl.ID).WithName(ruleName(rl.ID))
	d.WithShortDescription(sarif.NewMultiformatMessageString().WithText(rl.Title))
	help := rl.Fix
	if rl.fixVaries {
		help = "The fix depends on the problem: each result says how to fix it."
	}
	if help != "" {
		d.WithHelp(sarif.NewMultiformatMessageString().WithText(help))
	}
	return d.WithProperties(sarif.NewPropertyBag().Add("kind", rl.Kind))
}

// sarifRules returns one rule per distinct rule id, sorted by id. A rule's
// description is its findings' title when they share one, and the action
// for its kind ("Correct runway.yaml") when they do not.
func sarifRules(fs []runway.Finding) []sarifRule {
	byID := map[string]*sarifRule{}
	for _, f := range fs {
		id := ruleID(f)
		rl, ok := byID[id]
		if !ok {
			byID[id] = &sarifRule{ID: id, Kind: string(f.Kind), Title: f.Title, Fix: f.Fix}
			continue
		}
		if rl.Title != f.Title {
			rl.Title = actionOf(f.Kind)
		}
		if rl.Fix != f.Fix {
			rl.fixVaries = true
		}
	}
	out := make([]sarifRule, 0, len(byID))
	for _, rl := range byID {
		out = append(out, *rl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := range out {
		out[i].index = i
	}
	return out
}

func ruleIndex(rules []sarifRule, id string) int {
	return sort.Search(len(rules), func(i int) bool { return rules[i].ID >= id })
}

// ruleID is the finding's rule, or its kind when a check set none.
func ruleID(f runway.Finding) string {
	switch {
	case f.Rule != "":
		return f.Rule
	case f.Kind != "":
		return string(f.Kind)
	default:
		return sarifTool
	}
}

// ruleName turns "manifest-schema" into "ManifestSchema", the identifier
// style SARIF viewers expect of a rule name.
func ruleName(id string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(id, func(r rune) bool { return !isAlnum(r) }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func sarifResult(f runway.Finding, rl sarifRule) *sarif.Result {
	text := f.Title
	if d := details(f); d != "" {
		text += "\n\n" + d
	}
	if rl.fixVaries && f.Fix != "" {
		text += "\n\nFix: " + f.Fix
	}
	res := sarif.NewRuleResult(rl.ID).
		WithRuleIndex(rl.index).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(text)).
		AddLocation(sarif.NewLocationWithPhysicalLocation(sarifPlace(f)))
	if f.ID != "" {
		res.WithPartialFingerprints(map[string]string{sarifFingerprint: f.ID})
	}
	return res.WithProperties(sarif.NewPropertyBag().
		Add("severity", string(f.Severity)).
		Add("blocking", f.Blocking).
		Add("kind", string(f.Kind)))
}

// sarifLevel maps a severity to a SARIF level: critical and high are
// errors, medium warnings, the rest notes.
func sarifLevel(s runway.Severity) string {
	switch s {
	case runway.SeverityCritical, runway.SeverityHigh:
		return sarif.LevelError
	case runway.SeverityLow, runway.SeverityInfo:
		return sarif.LevelNote
	default:
		return sarif.LevelWarning
	}
}

// sarifPlace locates a finding relative to the repository root; a finding
// without a file points at runway.yaml, the app's entry point.
func sarifPlace(f runway.Finding) *sarif.PhysicalLocation {
	file := f.File
	if file == "" {
		file = runway.ManifestFile
	}
	loc := sarif.NewPhysicalLocation().WithArtifactLocation(
		sarif.NewSimpleArtifactLocation(fileURI(file)).WithURIBaseID(sarifSrcRoot))
	if f.Line > 0 {
		region := sarif.NewRegion().WithStartLine(f.Line)
		if f.Column > 0 {
			region.WithStartColumn(f.Column)
		}
		loc.WithRegion(region)
	}
	return loc
}

// fileURI percent-encodes a relative, slash-separated path as a URI
// reference (a space becomes %20).
func fileURI(path string) string {
	u := (&url.URL{Path: path}).EscapedPath()
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u // "c:x" would read as a scheme
	}
	return u
}

func ptr[T any](v T) *T { return &v }
